import { adapterContext } from "../../channels/context";
import { callSms, SmsHttpError, sendError } from "../../channels/sms/client";
import type { SmsCredentials } from "../../channels/sms/payloads";
import { ChannelSendError } from "../../channels/types";
import type { AppContext } from "../../context";
import type { Queryable } from "../../db/client";

/** The few words of agents' SMS (notifications and the verification code), in their language. */
const WORDS = {
  en: {
    many: (n: number) => `Parley, ${n} new`,
    digest: (n: number) => `Parley digest: ${n} notifications`,
    code: (code: string) => `Parley code: ${code}. It expires in 10 minutes.`,
  },
  ru: {
    many: (n: number) => `Parley, новых: ${n}`,
    digest: (n: number) => `Сводка Parley: уведомлений — ${n}`,
    code: (code: string) => `Код Parley: ${code}. Действует 10 минут.`,
  },
  uk: {
    many: (n: number) => `Parley, нових: ${n}`,
    digest: (n: number) => `Зведення Parley: сповіщень — ${n}`,
    code: (code: string) => `Код Parley: ${code}. Дійсний 10 хвилин.`,
  },
};
export const smsWords = (locale: string) => WORDS[locale.slice(0, 2) as keyof typeof WORDS] ?? WORDS.en;

/** The workspace's SMS connection that agents' SMS go through: the oldest enabled one, or none. */
export async function workspaceSmsConnection(q: Queryable, workspaceId: string) {
  const [row] = await q.query<{ id: string; credentials_enc: string }>(
    `select id, credentials_enc from channel_connections
     where workspace_id = $1 and type = 'sms' and enabled order by created_at, id limit 1`,
    [workspaceId],
  );
  return row ?? null;
}

/**
 * Sends one SMS to an agent through the workspace's SMS connection (the Messages API the SMS channel uses,
 * without a status callback: nothing about it comes back as a channel message). Throws ChannelSendError:
 * not retryable when there is no SMS connection or the provider refused the number.
 */
export async function sendWorkspaceSms(ctx: AppContext, workspaceId: string, to: string, body: string) {
  const conn = await workspaceSmsConnection(ctx.db, workspaceId);
  if (!conn)
    throw new ChannelSendError(
      "not_permitted",
      "The workspace has no SMS connection: an admin connects one under Channels.",
      false,
    );
  const credentials = ctx.secrets.open<SmsCredentials>(conn.credentials_enc);
  const actx = adapterContext(ctx, { id: conn.id, workspaceId, type: "sms" });
  const form = new URLSearchParams({ To: to, Body: body });
  if (credentials.messagingServiceSid) form.set("MessagingServiceSid", credentials.messagingServiceSid);
  else form.set("From", credentials.fromNumber!);
  let r: Awaited<ReturnType<typeof callSms>>;
  try {
    r = await callSms(credentials, actx, "/Messages.json", { method: "POST", form });
  } catch (err) {
    if (err instanceof SmsHttpError) throw new ChannelSendError("provider_error", err.message, err.retryable);
    throw err;
  }
  if (r.status < 200 || r.status >= 300) throw sendError(r.status, r.json, r.retryAfter);
}
