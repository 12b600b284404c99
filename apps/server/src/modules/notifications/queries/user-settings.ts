import type { AppContext } from "../../../context";
import { loadSettings } from "../settings";
import { workspaceSmsConnection } from "../sms-send";

/** The user's notification settings, with what the settings page shows beside them. */
export async function userNotificationSettings(ctx: AppContext, userId: string, workspaceId: string) {
  const settings = (await loadSettings(ctx.db, [userId])).get(userId)!;
  const [subs] = await ctx.db.query<{ n: number }>(
    "select count(*)::int as n from push_subscriptions where user_id = $1",
    [userId],
  );
  const muted = await ctx.db.query<{ conversation_id: string }>(
    "select conversation_id from conversation_mutes where user_id = $1 order by created_at desc limit 500",
    [userId],
  );
  const [phone] = await ctx.db.query<{ phone: string | null; pending_phone: string | null }>(
    "select phone, pending_phone from agent_phones where user_id = $1",
    [userId],
  );
  return {
    settings,
    // SMS needs the workspace's SMS connection and the agent's verified number.
    sms: {
      available: Boolean(await workspaceSmsConnection(ctx.db, workspaceId)),
      phone: phone?.phone ?? null,
      pendingPhone: phone?.pending_phone ?? null,
    },
    emailAvailable: Boolean(ctx.config.SMTP_HOST),
    pushSubscriptions: subs?.n ?? 0,
    mutedConversationIds: muted.map((m) => m.conversation_id),
  };
}
