import { ChannelSendError, type ContactProfile } from "../types";
import { GraphError, GraphProfile } from "./payloads";

/** Where a connection's Send API lives and how it authenticates (Bearer header: the token stays out of URLs). */
export interface GraphTarget {
  /** e.g. https://graph.facebook.com/v21.0/me/messages */
  messagesUrl: string;
  token: string;
  /** Provider name for messages ("Messenger", "Instagram"). */
  label: string;
}

/** Graph error codes (CHANNELS.md §4.3, §5.3). */
const WINDOW_SUBCODES = new Set([2018278, 2534022]);
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80006]);
const TEMPORARY_CODES = new Set([1, 2, 1200]);
const ATTACHMENT_SUBCODES = new Set([2018008, 2018047, 2018074, 2018294, 2534015]);

function retryAfterMs(res: Response, code: number | undefined): number {
  const header = Number(res.headers.get("retry-after"));
  if (Number.isFinite(header) && header > 0) return Math.min(header * 1000, 15 * 60_000);
  // Meta gives no Retry-After: the Send API limits are per second (613), app/user limits per hour (4, 32).
  return code === 4 || code === 32 || code === 17 ? 60_000 : 10_000;
}

/** Maps a Graph error answer to the normalised failure (the provider's own words kept as the detail). */
export function graphSendError(res: Response, bodyText: string, label: string): ChannelSendError {
  let err: GraphError | null = null;
  try {
    const parsed = GraphError.safeParse(JSON.parse(bodyText));
    if (parsed.success) err = parsed.data.error;
  } catch {
    // not JSON (a proxy's error page): handled by status below
  }
  if (!err) {
    const detail = `${label} answered HTTP ${res.status}: ${bodyText.slice(0, 300)}`;
    if (res.status === 429)
      return new ChannelSendError("provider_error", detail, true, retryAfterMs(res, 613));
    return new ChannelSendError("provider_error", detail, res.status >= 500);
  }
  const code = err.code;
  const sub = err.error_subcode;
  const detail = `${label} error ${code ?? "?"}${sub ? `/${sub}` : ""}: ${err.message}`.slice(0, 1000);
  if (sub !== undefined && WINDOW_SUBCODES.has(sub))
    return new ChannelSendError("window_closed", detail, false);
  if (code === 551 || sub === 1545041 || sub === 2534014)
    return new ChannelSendError("blocked_by_user", detail, false);
  if ((code !== undefined && RATE_LIMIT_CODES.has(code)) || res.status === 429)
    return new ChannelSendError("provider_error", detail, true, retryAfterMs(res, code));
  if ((code !== undefined && TEMPORARY_CODES.has(code)) || res.status >= 500)
    return new ChannelSendError("provider_error", detail, true);
  if (code === 190)
    return new ChannelSendError(
      "provider_error",
      `${detail} (the access token is invalid or expired: reconnect the channel)`,
      false,
    );
  if (code === 10 || code === 200 || (code !== undefined && code >= 200 && code < 300) || sub === 2018108)
    return new ChannelSendError("not_permitted", detail, false);
  if (sub !== undefined && ATTACHMENT_SUBCODES.has(sub))
    return new ChannelSendError("attachment_rejected", detail, false);
  if (code === 100 && /too long|length of param message\[text\]/i.test(err.message))
    return new ChannelSendError("too_long", detail, false);
  if (code === 100 && /attachment|upload|fetch/i.test(err.message))
    return new ChannelSendError("attachment_rejected", detail, false);
  return new ChannelSendError("provider_error", detail, false);
}

/** POSTs JSON to the Send API; returns the parsed answer or throws a mapped ChannelSendError. */
export async function graphPost(
  target: GraphTarget,
  body: unknown,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(target.messagesUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${target.token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new ChannelSendError(
      "provider_error",
      `Could not reach ${target.label} (${new URL(target.messagesUrl).host}): ${(err as Error).message}`,
      true,
    );
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw graphSendError(res, text, target.label);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ChannelSendError(
      "provider_error",
      `${target.label} answered ${res.status} without JSON: ${text.slice(0, 200)}`,
      true,
    );
  }
}

interface GraphAnswer {
  res: Response;
  text: string;
  /** The answer's JSON, or null when it is not JSON. */
  json: unknown;
}

/** GETs a Graph URL with the token; only an unreachable Graph throws. */
async function fetchGraph(url: string, token: string, timeoutMs: number): Promise<GraphAnswer> {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text().catch(() => "");
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { res, text, json };
}

/** GETs a Graph object (set-up checks); throws a readable Error on refusal. */
export async function graphGet(
  url: string,
  token: string,
  timeoutMs: number,
): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; message: string; code?: number }> {
  let answer: GraphAnswer;
  try {
    answer = await fetchGraph(url, token, timeoutMs);
  } catch (err) {
    return { ok: false, message: `could not reach ${new URL(url).host}: ${(err as Error).message}` };
  }
  const { res, text, json } = answer;
  if (res.ok && json && typeof json === "object") return { ok: true, body: json as Record<string, unknown> };
  const parsed = GraphError.safeParse(json);
  return parsed.success
    ? { ok: false, message: parsed.data.error.message, code: parsed.data.error.code }
    : { ok: false, message: `HTTP ${res.status}: ${text.slice(0, 200)}` };
}

/**
 * Looks a customer's profile up (`GET /{id}?fields=…`, the User Profile API); a refusal or an unreachable
 * Graph throws a mapped ChannelSendError (retryable or not), like a send.
 */
export async function graphProfile(
  url: string,
  token: string,
  label: string,
  timeoutMs: number,
): Promise<ContactProfile | null> {
  let answer: GraphAnswer;
  try {
    answer = await fetchGraph(url, token, timeoutMs);
  } catch (err) {
    throw new ChannelSendError(
      "provider_error",
      `Could not reach ${label} (${new URL(url).host}): ${(err as Error).message}`,
      true,
    );
  }
  const { res, text, json } = answer;
  if (!res.ok) throw graphSendError(res, text, label);
  const parsed = GraphProfile.safeParse(json);
  if (!parsed.success)
    throw new ChannelSendError(
      "provider_error",
      `${label} answered the profile look-up with something else: ${text.slice(0, 200)}`,
      false,
    );
  const p = parsed.data;
  const full = [p.first_name, p.last_name].filter((x) => x?.trim()).join(" ");
  const name = p.name?.trim() || full || null;
  const nickname = p.username?.trim() || null;
  const avatarUrl = p.profile_pic && /^https?:\/\//i.test(p.profile_pic) ? p.profile_pic : null;
  if (!name && !nickname && !avatarUrl) return null;
  return { name, nickname, avatarUrl };
}
