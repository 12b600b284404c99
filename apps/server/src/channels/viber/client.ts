import type { z } from "zod";
import { ChannelSendError } from "../types";
import { parseViberJson, ViberApiResponse } from "./payloads";

export type ViberResponse = z.infer<typeof ViberApiResponse>;

/** Why a call to Viber did not produce an answer with a `status` (network, HTTP error, unreadable body). */
export class ViberHttpError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Calls `POST <base>/pa/<method>` with the bot's token in `X-Viber-Auth-Token`. Viber answers HTTP 200 even on
 * errors, so the caller checks `status`; the answer's 64-bit `message_token` is kept exact (a string).
 */
export async function callViber(
  base: string,
  method: string,
  authToken: string,
  body: unknown,
  timeoutMs: number,
): Promise<ViberResponse> {
  const url = `${base}/pa/${method}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-viber-auth-token": authToken },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new ViberHttpError(`Could not reach Viber (${new URL(url).host}): ${(err as Error).message}`, true);
  }
  const text = await res.text().catch(() => "");
  if (res.status === 429) {
    const seconds = Number(res.headers.get("retry-after"));
    throw new ViberHttpError(
      "Viber is rate limiting the bot (HTTP 429).",
      true,
      Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000,
    );
  }
  if (res.status >= 500) throw new ViberHttpError(`Viber answered HTTP ${res.status}.`, true);
  if (!res.ok) throw new ViberHttpError(`Viber answered HTTP ${res.status}: ${text.slice(0, 300)}`, false);
  let parsed: ReturnType<typeof ViberApiResponse.safeParse>;
  try {
    parsed = ViberApiResponse.safeParse(parseViberJson(text));
  } catch {
    parsed = ViberApiResponse.safeParse(null);
  }
  if (!parsed.success)
    throw new ViberHttpError(`Viber answered something unreadable: ${text.slice(0, 300)}`, true);
  return parsed.data;
}

/** Viber's `status` codes (REST Bot API "Errors"). */
export const VIBER_STATUS: Record<number, string> = {
  0: "ok",
  1: "invalidUrl",
  2: "invalidAuthToken",
  3: "badData",
  4: "missingData",
  5: "receiverNotRegistered",
  6: "receiverNotSubscribed",
  7: "publicAccountBlocked",
  8: "publicAccountNotFound",
  9: "publicAccountSuspended",
  10: "webhookNotSet",
  11: "receiverNoSuitableDevice",
  12: "tooManyRequests",
  13: "apiVersionNotSupported",
  14: "incompatibleWithVersion",
  15: "publicAccountNotAuthorized",
  16: "inchatReplyMessageNotAllowed",
  17: "publicAccountIsNotInline",
  18: "noPublicChat",
  19: "cannotSendBroadcast",
  20: "broadcastNotAllowed",
  21: "unsupportedCountry",
  22: "paymentUnsupported",
  23: "freeMessagesExceeded",
  24: "noBalance",
};

/** How long to wait after status 12 (Viber gives no retry time; its per-user counter resets on a reply). */
export const TOO_MANY_REQUESTS_RETRY_MS = 60_000;

/** Viber's own words for a non-zero status: "receiverNotSubscribed (6): <status_message>". */
export function viberWords(r: ViberResponse): string {
  const name = VIBER_STATUS[r.status] ?? "generalError";
  const message = r.status_message?.trim();
  return `Viber refused the message: ${name} (status ${r.status})${message ? `: ${message}` : ""}`.slice(
    0,
    1000,
  );
}

/** Maps a non-zero send_message status to the normalised failure. */
export function sendError(r: ViberResponse): ChannelSendError {
  const words = viberWords(r);
  switch (r.status) {
    case 6:
      return new ChannelSendError(
        "blocked_by_user",
        `${words}. The user is not subscribed to the bot (never wrote or unsubscribed).`,
        false,
      );
    case 12:
      return new ChannelSendError("provider_error", words, true, TOO_MANY_REQUESTS_RETRY_MS);
    case 1:
      return new ChannelSendError("attachment_rejected", words, false);
    case 23:
    case 24:
      return new ChannelSendError(
        "provider_error",
        `${words}. The bot's chatbot-initiated message quota or balance is used up; messages inside the 24 h session the user opens by writing are still free.`,
        false,
      );
    default:
      return new ChannelSendError("provider_error", words, false);
  }
}
