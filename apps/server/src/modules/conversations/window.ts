import { CAPABILITIES } from "@parley/protocol";
import type { Queryable } from "../../db/client";
import { messagingWindow, type WindowSettings, type WindowVerdict } from "../../domain/windows";

/** The messaging window of a conversation now (R502): reads its channel's rule and the connection's settings. */
export async function conversationWindow(
  q: Queryable,
  conversationId: string,
  now: Date,
): Promise<WindowVerdict> {
  const [row] = await q.query<{
    type: keyof typeof CAPABILITIES;
    settings: WindowSettings;
    last_customer_message_at: Date | null;
  }>(
    `select cc.type, cc.settings, c.last_customer_message_at
     from conversations c join channel_connections cc on cc.id = c.connection_id where c.id = $1`,
    [conversationId],
  );
  if (!row) return { allowed: true, mode: "free", closesAt: null, remaining: null };
  const rule = CAPABILITIES[row.type]?.window ?? "none";
  let sent = 0;
  if (rule === "wechat") {
    const [n] = await q.query<{ n: number }>(
      `select count(*) as n from messages where conversation_id = $1 and direction = 'outbound' and kind = 'message'
         and created_at > coalesce($2::timestamptz, '-infinity')`,
      [conversationId, row.last_customer_message_at],
    );
    sent = n?.n ?? 0;
  }
  return messagingWindow({
    rule,
    now,
    lastCustomerMessageAt: row.last_customer_message_at,
    sentSinceCustomerMessage: sent,
    settings: row.settings ?? {},
  });
}

/** The window as the API shows it to the composer. */
export function presentWindow(v: WindowVerdict) {
  return v.allowed
    ? {
        allowed: true,
        mode: v.mode,
        closesAt: v.closesAt?.toISOString() ?? null,
        remaining: v.remaining,
        only: null,
        reason: null,
      }
    : {
        allowed: false,
        mode: null,
        closesAt: v.closedAt?.toISOString() ?? null,
        remaining: null,
        only: v.only,
        reason: v.reason,
      };
}
