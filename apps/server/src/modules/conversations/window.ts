import { CAPABILITIES } from "@parley/protocol";
import type { Queryable } from "../../db/client";
import {
  messagingWindow,
  type WindowSender,
  type WindowSettings,
  type WindowVerdict,
} from "../../domain/windows";
import { AppError } from "../../lib/errors";

/** Who a message's author makes its sender: a user is a person; a bot, a rule or the system is automation. */
export const senderOf = (authorType: string): WindowSender =>
  authorType === "user" ? "person" : "automation";

/**
 * The messaging window of a conversation now (R502) for a message written by `sender` (a person, or
 * automation: the windows differ on Messenger and Instagram): reads its channel's rule and the connection's
 * settings. WeChat counts the messages sent since the customer's last message (not those that failed); for
 * a message already stored (the send job's), `beforeSeq` counts only the ones written before it.
 */
export async function conversationWindow(
  q: Queryable,
  conversationId: string,
  now: Date,
  opts: { sender: WindowSender; beforeSeq?: number | string },
): Promise<WindowVerdict> {
  const [row] = await q.query<{
    type: keyof typeof CAPABILITIES;
    settings: WindowSettings;
    last_customer_message_at: Date | null;
    unsubscribed_at: Date | null;
    kind: string;
  }>(
    `select cc.type, cc.settings, c.last_customer_message_at, i.unsubscribed_at, c.kind
     from conversations c join channel_connections cc on cc.id = c.connection_id
     join contact_identities i on i.id = c.identity_id where c.id = $1`,
    [conversationId],
  );
  // No messaging window under posts: a comment conversation's replies follow their own rule
  // (domain/comment-replies.ts, checked by sendMessage and the send job).
  if (!row || row.kind === "comment") return { allowed: true, mode: "free", closesAt: null, remaining: null };
  const rule = CAPABILITIES[row.type]?.window ?? "none";
  let sent = 0;
  if (rule === "wechat") {
    const [n] = await q.query<{ n: number }>(
      `select count(*)::int as n from messages where conversation_id = $1 and direction = 'outbound'
         and kind = 'message' and delivery_state <> 'failed' and created_at > coalesce($2::timestamptz, '-infinity')
         and ($3::bigint is null or seq < $3::bigint)`,
      [conversationId, row.last_customer_message_at, opts.beforeSeq ?? null],
    );
    sent = Number(n?.n ?? 0);
  }
  return messagingWindow({
    rule,
    sender: opts.sender,
    now,
    lastCustomerMessageAt: row.last_customer_message_at,
    sentSinceCustomerMessage: sent,
    settings: row.settings ?? {},
    unsubscribedAt: row.unsubscribed_at,
  });
}

/** The API error for a message the window forbids: `unsubscribed` when that is why, else `window_closed`. */
export function windowRefusal(v: Extract<WindowVerdict, { allowed: false }>): AppError {
  return new AppError(
    v.cause === "unsubscribed" ? "unsubscribed" : "window_closed",
    v.reason,
    presentWindow(v),
  );
}

/** The failure reason a send job records for a message the window forbids. */
export const refusalReason = (v: Extract<WindowVerdict, { allowed: false }>) =>
  v.cause === "unsubscribed" ? ("unsubscribed" as const) : ("window_closed" as const);

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
        cause: null,
      }
    : {
        allowed: false,
        mode: null,
        closesAt: v.closedAt?.toISOString() ?? null,
        remaining: null,
        only: v.only,
        reason: v.reason,
        cause: v.cause ?? ("window" as const),
      };
}
