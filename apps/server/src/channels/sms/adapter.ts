import crypto from "node:crypto";
import { SMS_CAPABILITIES, smsKeyword } from "@parley/protocol";
import type { z } from "zod";
import { AppError } from "../../lib/errors";
import { listIssues, parseCredentials } from "../form-fields";
import {
  type AdapterContext,
  type ChannelAdapter,
  ChannelSendError,
  ChannelSetupError,
  type InboundAttachment,
  type InboundEvent,
  pendingAttachment,
} from "../types";
import { webhookUrl } from "../webhook-url";
import { callSms, deliveryFailure, describeError, SmsHttpError, sendError, twilioSignature } from "./client";
import {
  type SmsCredentials,
  SmsCredentialsInput,
  SmsInbound,
  SmsSendAnswer,
  SmsSettings,
  SmsStatusCallback,
} from "./payloads";

export const SIGNATURE_HEADER = "x-twilio-signature";

const TEXT_MAX = SMS_CAPABILITIES.textMaxChars;
/** MMS files: the provider's media links stay valid while the message exists; retried for an hour. */
const MEDIA_RETRY_MS = 60 * 60_000;
const MEDIA_MAX_BYTES = 5 * 1024 * 1024;

/** A verified callback's parameters: the form body's pairs (first value of each name in `one`). */
function formParams(raw: Buffer): { pairs: [string, string][]; one: Record<string, string> } {
  const params = new URLSearchParams(raw.toString("utf8"));
  const pairs = [...params.entries()];
  const one: Record<string, string> = {};
  for (const [k, v] of pairs) if (!(k in one)) one[k] = v;
  return { pairs, one };
}

function read<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
  const parsed = schema.safeParse(v);
  if (!parsed.success)
    throw new AppError(
      "validation_failed",
      `The SMS ${what} does not match the documented format.`,
      parsed.error.issues,
    );
  return parsed.data;
}

/**
 * SMS over a Twilio-compatible Messages API. Sending posts `…/Accounts/<sid>/Messages.json` (form-encoded,
 * Basic auth) with this connection's webhook as `StatusCallback`; the provider posts status callbacks and
 * inbound messages to that same URL, form-encoded and signed with `X-Twilio-Signature` over the full URL and
 * the sorted parameters. STOP-like keywords record the contact's opt-out, START-like ones clear it.
 */
export const smsChannel: ChannelAdapter<SmsCredentials, SmsSettings> = {
  type: "sms",
  capabilities: SMS_CAPABILITIES,
  settingsSchema: SmsSettings,
  credentialsSchema: SmsCredentialsInput,
  createCredentials: (input) => parseCredentials(SmsCredentialsInput, input, listIssues("SMS")),

  revealOnCreate: (_credentials, connectionId, publicUrl) => ({
    webhookUrl: webhookUrl(publicUrl, "sms", connectionId),
  }),

  verify(raw, headers, credentials, _query, request) {
    const header = headers[SIGNATURE_HEADER];
    if (typeof header !== "string" || header.length === 0 || !request) return false;
    const expected = twilioSignature(credentials.authToken, request.url, formParams(raw).pairs);
    const a = Buffer.from(header.trim());
    const b = Buffer.from(expected);
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  },

  /** Checks the account SID and token with the provider, and that the sender number belongs to the account. */
  async activate(connection, ctx) {
    const { credentials } = connection;
    const call = async (path: string) => {
      try {
        return await callSms(credentials, ctx, path, { method: "GET" });
      } catch (err) {
        throw new ChannelSetupError(
          `Could not reach the SMS provider: ${(err as Error).message}`.slice(0, 1000),
        );
      }
    };
    const account = await call(".json");
    if (account.status === 401 || account.status === 403 || account.status === 404)
      throw new ChannelSetupError(
        `The SMS provider refused the account SID and auth token (${describeError(account.status, account.json).words}): copy both from the provider's console.`,
      );
    if (account.status >= 300)
      throw new ChannelSetupError(
        `The SMS provider answered: ${describeError(account.status, account.json).words}.`,
      );
    if (!credentials.fromNumber) return;
    const numbers = await call(
      `/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(credentials.fromNumber)}`,
    );
    // A compatible provider without this endpoint: the number is checked by the first send instead.
    if (numbers.status === 404) return;
    const list = (numbers.json as { incoming_phone_numbers?: unknown[] } | null)?.incoming_phone_numbers;
    if (numbers.status === 200 && Array.isArray(list) && list.length === 0)
      throw new ChannelSetupError(
        `The number ${credentials.fromNumber} is not a number of this account: give one of the account's numbers, or a messaging service SID.`,
      );
  },

  parse(raw, _connection, ctx) {
    const { one } = formParams(raw);
    if (one.MessageStatus && one.MessageStatus !== "received" && one.MessageStatus !== "receiving")
      return statusEvents(read(SmsStatusCallback, one, "status callback"), ctx);
    if ("Body" in one || "NumMedia" in one)
      return inboundEvents(read(SmsInbound, one, "inbound message"), one, ctx);
    return [];
  },

  /** The provider's media links sit under its API and need the account's credentials. */
  async resolveMedia(connection, source, ctx) {
    const { accountSid, authToken, baseUrl } = connection.credentials;
    const url = source.url;
    if (!url) throw new ChannelSendError("attachment_rejected", "The MMS file has no link.", false);
    // The credentials go only to the provider's own API, never to another host a link might name.
    const own = new URL(url).origin === new URL(baseUrl ?? ctx.endpoints.smsApiBase).origin;
    return {
      url,
      ...(own
        ? {
            headers: {
              authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
            },
          }
        : {}),
    };
  },

  async send(connection, message, ctx) {
    const { credentials } = connection;
    const text = message.text?.trim() ? message.text : null;
    if (text && text.length > TEXT_MAX)
      throw new ChannelSendError(
        "too_long",
        `The text has ${text.length} characters; SMS takes at most ${TEXT_MAX}.`,
        false,
      );
    if (!text && message.attachments.length === 0)
      throw new ChannelSendError("provider_error", "The message has neither text nor attachments.", false);
    const form = new URLSearchParams({ To: message.externalContactId });
    if (credentials.messagingServiceSid) form.set("MessagingServiceSid", credentials.messagingServiceSid);
    else form.set("From", credentials.fromNumber!);
    if (text) form.set("Body", text);
    form.set("StatusCallback", ctx.webhookUrl);
    for (const a of message.attachments) {
      if (!a.url || a.error)
        throw new ChannelSendError(
          "attachment_rejected",
          `The attachment "${a.name}" has no stored file to send.`,
          false,
        );
      form.append("MediaUrl", ctx.fileUrl(a.url));
    }
    let r: Awaited<ReturnType<typeof callSms>>;
    try {
      r = await callSms(credentials, ctx, "/Messages.json", { method: "POST", form });
    } catch (err) {
      if (err instanceof SmsHttpError)
        throw new ChannelSendError("provider_error", err.message, err.retryable);
      throw err;
    }
    if (r.status < 200 || r.status >= 300) throw sendError(r.status, r.json, r.retryAfter);
    const answer = SmsSendAnswer.safeParse(r.json);
    if (!answer.success)
      throw new ChannelSendError(
        "provider_error",
        "The SMS provider accepted the message without a message SID.",
        false,
      );
    return { providerMessageId: answer.data.sid };
  },
};

/** An inbound SMS (or MMS): the message, and an opt-out when it is a STOP-like keyword. */
function inboundEvents(
  m: ReturnType<typeof SmsInbound.parse>,
  one: Record<string, string>,
  ctx: AdapterContext,
) {
  const at = ctx.now();
  const attachments: InboundAttachment[] = [];
  for (let i = 0; i < (m.NumMedia ?? 0); i++) {
    const url = one[`MediaUrl${i}`];
    if (!url) continue;
    const mimeType = one[`MediaContentType${i}`] || "application/octet-stream";
    attachments.push(
      pendingAttachment(
        { name: `media-${i + 1}.${mimeType.split("/")[1]?.split(";")[0] || "bin"}`, mimeType },
        { source: { url }, maxBytes: MEDIA_MAX_BYTES, retryForMs: MEDIA_RETRY_MS, now: at },
      ),
    );
  }
  // Advanced Opt-Out names the keyword it recognised; otherwise the standard words are matched here.
  const optOut = m.OptOutType?.toUpperCase();
  const keyword = optOut === "STOP" ? "opt_out" : optOut === "START" ? "opt_in" : smsKeyword(m.Body);
  const events: InboundEvent[] = [
    {
      kind: "message",
      providerMessageId: m.MessageSid,
      externalContactId: m.From,
      contact: { phone: m.From },
      text: m.Body ?? null,
      attachments,
      at,
      ...(keyword === "opt_in" ? { subscribes: true } : {}),
    },
  ];
  if (keyword === "opt_out") events.push({ kind: "unsubscribed", externalContactId: m.From, at });
  return events;
}

/** A status callback: sent, delivered, read, or failed with a reason; interim states carry nothing new. */
function statusEvents(s: ReturnType<typeof SmsStatusCallback.parse>, ctx: AdapterContext): InboundEvent[] {
  const at = ctx.now();
  switch (s.MessageStatus) {
    case "sent":
    case "delivered":
    case "read":
      return [{ kind: "status", providerMessageId: s.MessageSid, state: s.MessageStatus, at }];
    case "undelivered":
    case "failed": {
      const { reason, detail } = deliveryFailure(s.MessageStatus, s.ErrorCode || undefined);
      return [{ kind: "status", providerMessageId: s.MessageSid, state: "failed", at, reason, detail }];
    }
    case "canceled":
      return [
        {
          kind: "status",
          providerMessageId: s.MessageSid,
          state: "failed",
          at,
          reason: "provider_error",
          detail: "The SMS was canceled at the provider before it was sent.",
        },
      ];
    // queued, accepted, scheduled, sending: Parley's message is already queued or sent.
    default:
      return [];
  }
}
