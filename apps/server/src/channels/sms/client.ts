import crypto from "node:crypto";
import type { FailureReason } from "@parley/protocol";
import { EgressRefused } from "../../lib/egress";
import { type AdapterContext, ChannelSendError } from "../types";
import { type SmsCredentials, SmsErrorAnswer } from "./payloads";

/**
 * `X-Twilio-Signature`: base64 HMAC-SHA1 keyed with the auth token over the full URL the provider requested,
 * followed by each POST parameter's name and value, in the order of the names (case-sensitive; repeated
 * names in the order of their values).
 */
export function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): string {
  const sorted = [...params].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const data = url + sorted.map(([k, v]) => k + v).join("");
  return crypto.createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

/** The API base of a connection: its own base URL (through the egress guard) or the configured one. */
function base(credentials: SmsCredentials, ctx: AdapterContext): { url: string; supplied: boolean } {
  const own = credentials.baseUrl?.replace(/\/$/, "");
  return own ? { url: own, supplied: true } : { url: ctx.endpoints.smsApiBase, supplied: false };
}

/** Why a call to the provider produced no usable answer. */
export class SmsHttpError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Calls `<base>/2010-04-01/Accounts/<sid><path>` with Basic auth (account SID : auth token). */
export async function callSms(
  credentials: SmsCredentials,
  ctx: AdapterContext,
  path: string,
  init: { method: "GET" | "POST"; form?: URLSearchParams },
): Promise<{ status: number; json: unknown; retryAfter: string | null }> {
  const b = base(credentials, ctx);
  const url = `${b.url}/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}${path}`;
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString("base64")}`,
    accept: "application/json",
    ...(init.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
  };
  const body = init.form ? init.form.toString() : null;
  const signal = AbortSignal.timeout(ctx.timeoutMs);
  let res: Response;
  try {
    res = b.supplied
      ? await ctx.fetchSupplied(url, { method: init.method, headers, body, signal })
      : await fetch(url, { method: init.method, headers, body, signal });
  } catch (err) {
    if (err instanceof EgressRefused)
      throw new SmsHttpError(`The connection's base URL is not allowed: ${err.message}`, false);
    throw new SmsHttpError(
      `Could not reach the SMS provider (${new URL(url).host}): ${(err as Error).message}`,
      true,
    );
  }
  const text = await res.text().catch(() => "");
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json, retryAfter: res.headers.get("retry-after") };
}

/** The provider's error answer in words, with its code. */
export function describeError(status: number, json: unknown): { code: number | null; words: string } {
  const e = SmsErrorAnswer.safeParse(json);
  const code = e.success ? (e.data.code ?? null) : null;
  const message = e.success ? e.data.message?.trim() : undefined;
  return {
    code,
    words: `${message || `HTTP ${status}`}${code ? ` (error ${code})` : ""}`.slice(0, 500),
  };
}

/** Error codes of the Messages API and what they mean for a send (Twilio's documented codes). */
const SEND_ERRORS: Record<number, { reason: FailureReason; hint: string }> = {
  21610: {
    reason: "unsubscribed",
    hint: "The recipient replied STOP to this number: nothing can be sent until they reply START.",
  },
  21211: {
    reason: "provider_error",
    hint: "The recipient's number is not a valid phone number: check the contact's number.",
  },
  21614: { reason: "provider_error", hint: "The recipient's number cannot receive SMS (a landline?)." },
  21408: { reason: "not_permitted", hint: "Sending to this country is not enabled for the account." },
  21612: { reason: "not_permitted", hint: "The sender cannot send to this number (route not supported)." },
  21617: { reason: "too_long", hint: "The text is longer than 1,600 characters." },
  21606: {
    reason: "not_permitted",
    hint: "The sender number cannot send SMS: check the connection's from number.",
  },
  20003: {
    reason: "not_permitted",
    hint: "The provider refused the credentials: check the account SID and auth token.",
  },
};

/** A refused or failed send as a ChannelSendError with a reason and words an agent can act on. */
export function sendError(status: number, json: unknown, retryAfter: string | null): ChannelSendError {
  const { code, words } = describeError(status, json);
  if (status === 429 || code === 20429) {
    const seconds = Number(retryAfter);
    return new ChannelSendError(
      "rate_limited",
      `The SMS provider is limiting the rate of messages: ${words}`,
      true,
      Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 5_000,
    );
  }
  if (status >= 500) return new ChannelSendError("provider_error", `The SMS provider failed: ${words}`, true);
  const known = code !== null ? SEND_ERRORS[code] : undefined;
  if (known) return new ChannelSendError(known.reason, `${known.hint} ${words}`.slice(0, 1000), false);
  if (status === 401)
    return new ChannelSendError("not_permitted", `${SEND_ERRORS[20003]!.hint} ${words}`, false);
  return new ChannelSendError("provider_error", `The SMS provider refused the message: ${words}`, false);
}

/** Delivery error codes of status callbacks: a reason and what an agent can do. */
const DELIVERY_ERRORS: Record<string, { reason: FailureReason; hint: string }> = {
  "21610": {
    reason: "unsubscribed",
    hint: "The recipient has opted out (STOP) of messages from this number.",
  },
  "30003": {
    reason: "provider_error",
    hint: "The phone is switched off or out of coverage: try again later.",
  },
  "30004": { reason: "blocked_by_user", hint: "The message was blocked (the recipient blocks this sender)." },
  "30005": {
    reason: "provider_error",
    hint: "The number is unknown or no longer in service: check the contact's number.",
  },
  "30006": {
    reason: "provider_error",
    hint: "The number is a landline or its carrier cannot take SMS: use another channel.",
  },
  "30007": {
    reason: "not_permitted",
    hint: "The carrier filtered the message as spam: change the wording or register the sender.",
  },
  "30008": { reason: "provider_error", hint: "The carrier gave no reason: try again later." },
  "30034": { reason: "not_permitted", hint: "The sender number is not registered for A2P 10DLC in the US." },
};

/** The reason and words of an `undelivered` or `failed` status callback. */
export function deliveryFailure(status: string, errorCode: string | undefined) {
  const known = errorCode ? DELIVERY_ERRORS[errorCode] : undefined;
  const what =
    status === "undelivered" ? "The carrier could not deliver the SMS" : "The SMS could not be sent";
  return {
    reason: known?.reason ?? ("provider_error" as const),
    detail: `${what}${errorCode ? ` (error ${errorCode})` : ""}${known ? `: ${known.hint}` : "."}`,
  };
}
