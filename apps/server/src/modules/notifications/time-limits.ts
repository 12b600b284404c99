import { type AppContext, transact } from "../../context";
import { workingLevels } from "../hours/time-limits";
import { createNotification } from "./create";
import { anyMeans, loadSettings } from "./settings";

interface Crossing {
  conversation_id: string;
  workspace_id: string;
  team_id: string | null;
  yellow: number | null;
  red: number | null;
  assignee_id: string;
  first_unanswered_at: Date;
  level: "yellow" | "red";
  title: string;
  body: string | null;
}

/**
 * Time-limit warnings (R107, R402): when a waiting customer's conversation crosses the workspace's yellow
 * or red limit, its assignee is notified once per level and waiting period (the dedupe key holds the
 * waiting start). Every worker may run the sweep: the unique key makes a second run a no-op.
 */
export async function sweepTimeLimits(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  // Only conversations that crossed a limit within the last day are looked at (the waiting index serves it);
  // two weeks where business hours are set, whose working time crosses a limit later than the wall clock.
  const candidates = await ctx.db.query<Crossing>(
    `with limits as (
       select id, (settings->>'slaYellowMinutes')::int as yellow, (settings->>'slaRedMinutes')::int as red
       from workspaces where settings->>'slaYellowMinutes' is not null or settings->>'slaRedMinutes' is not null
     ), crossed as (
       select c.id as conversation_id, c.workspace_id, c.team_id, l.yellow, l.red, c.assignee_id, c.first_unanswered_at, c.contact_id,
         case when l.red is not null and c.first_unanswered_at <= $1::timestamptz - make_interval(mins => l.red)
              then 'red' else 'yellow' end as level
       from limits l join conversations c on c.workspace_id = l.id
       where c.status <> 'closed' and c.assignee_id is not null and c.first_unanswered_at is not null
         and c.first_unanswered_at <= $1::timestamptz - make_interval(mins => coalesce(l.yellow, l.red))
         and c.first_unanswered_at > $1::timestamptz - make_interval(mins => coalesce(l.red, l.yellow))
           - case when exists (select 1 from business_hours b where b.workspace_id = l.id) then interval '14 days' else interval '1 day' end
     )
     select x.conversation_id, x.workspace_id, x.team_id, x.yellow, x.red, x.assignee_id, x.first_unanswered_at, x.level,
       coalesce(k.name, k.nickname, '') as title,
       (select m.text from messages m where m.conversation_id = x.conversation_id and m.direction = 'inbound'
          order by m.seq desc limit 1) as body
     from crossed x join contacts k on k.id = x.contact_id
     where not exists (select 1 from notifications n where n.user_id = x.assignee_id
       and n.dedupe_key = 'time_limit:' || x.conversation_id || ':' || extract(epoch from x.first_unanswered_at)::text || ':' || x.level)
     limit 500`,
    [now],
  );
  // The wall-clock wait is an upper bound of the working wait: business hours can only lower the level.
  const rows = await workingLevels(ctx.db, candidates, now);
  if (!rows.length) return 0;
  const settings = await loadSettings(ctx.db, [...new Set(rows.map((r) => r.assignee_id))]);
  const muted = new Set(
    (
      await ctx.db.query<{ k: string }>(
        "select user_id || ':' || conversation_id as k from conversation_mutes where conversation_id = any($1::uuid[])",
        [rows.map((r) => r.conversation_id)],
      )
    ).map((m) => m.k),
  );
  let created = 0;
  await transact(ctx, async (tx) => {
    for (const r of rows) {
      if (muted.has(`${r.assignee_id}:${r.conversation_id}`)) continue;
      const s = settings.get(r.assignee_id)!;
      const means = s.matrix.time_limit;
      if (!anyMeans(means)) continue;
      const [epoch] = await tx.q.query<{ e: string }>(
        "select extract(epoch from $1::timestamptz)::text as e",
        [r.first_unanswered_at],
      );
      const n = await createNotification(ctx, tx, {
        workspaceId: r.workspace_id,
        userId: r.assignee_id,
        kind: "time_limit",
        conversationId: r.conversation_id,
        messageId: null,
        title: r.title,
        body: r.body ?? "",
        dedupeKey: `time_limit:${r.conversation_id}:${epoch!.e}:${r.level}`,
        means,
        settings: s,
      });
      if (n) created++;
    }
  });
  return created;
}
