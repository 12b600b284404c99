import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { loadSettings, minutesOf, type SettingsInput } from "../settings";

/** Changes the fields given of the user's notification settings (R402); the others stay. */
export async function updateNotificationSettings(ctx: AppContext, actor: Actor, b: SettingsInput) {
  const cur = (await loadSettings(ctx.db, [actor.userId])).get(actor.userId)!;
  const next = {
    matrix: { ...cur.matrix, ...(b.matrix ?? {}) },
    sound: b.sound ?? cur.sound,
    dnd: b.dnd ?? cur.dnd,
    quietHours: b.quietHours === undefined ? cur.quietHours : b.quietHours,
    timeZone: b.timeZone ?? cur.timeZone,
    pausedUntil: b.pausedUntil === undefined ? cur.pausedUntil : b.pausedUntil,
    emailMode: b.emailMode ?? cur.emailMode,
    digestHour: b.digestHour ?? cur.digestHour,
  };
  await ctx.db.query(
    `insert into notification_settings (user_id, workspace_id, matrix, sound, dnd, quiet_from, quiet_to, time_zone, paused_until, email_mode, digest_hour, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (user_id) do update set matrix = excluded.matrix, sound = excluded.sound, dnd = excluded.dnd,
       quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, time_zone = excluded.time_zone,
       paused_until = excluded.paused_until, email_mode = excluded.email_mode, digest_hour = excluded.digest_hour,
       updated_at = excluded.updated_at`,
    [
      actor.userId,
      actor.workspaceId,
      JSON.stringify(next.matrix),
      next.sound,
      next.dnd,
      next.quietHours ? minutesOf(next.quietHours.from) : null,
      next.quietHours ? minutesOf(next.quietHours.to) : null,
      next.timeZone,
      next.pausedUntil,
      next.emailMode,
      next.digestHour,
      ctx.clock.now(),
    ],
  );
}
