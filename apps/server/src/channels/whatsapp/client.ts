import crypto from "node:crypto";
import type { FailureReason } from "@parley/protocol";
import { type AdapterContext, ChannelSendError } from "../types";
import { type GraphError, GraphErrorBody, type WaStatusError } from "./payloads";

/**
 * A thin Graph API client for the WhatsApp Cloud API, and the Meta webhook signature (kept here rather than
 * shared with Messenger/Instagram so each adapter can change on its own).
 */

export const SIGNATURE_HEADER = "x-hub-signature-256";

/** `sha256=<lowercase hex HMAC-SHA256(appSecret, raw body)>`, as Meta signs webhooks. */
export function graphSignature(appSecret: string, raw: Buffer | string): string {
  return `sha256=${crypto.createHmac("sha256", appSecret).update(raw).digest("hex")}`;
}

/** Checks X-Hub-Signature-256 over the exact bytes received, in constant time. */
export function verifyGraphSignature(
  raw: Buffer,
  header: string | string[] | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== "string") return false;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return false;
  const got = Buffer.from(m[1]!.toLowerCase(), "hex");
  const expected = crypto.createHmac("sha256", appSecret).update(raw).digest();
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

/** Constant-time string comparison (for the verify token of the GET handshake). */
export function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb) && a.length === b.length;
}

export function graphUrl(ctx: AdapterContext, path: string): string {
  return `${ctx.endpoints.graphApiBase}/${ctx.endpoints.graphApiVersion}/${path.replace(/^\//, "")}`;
}

export type GraphResult =
  | { ok: true; status: number; json: unknown }
  | { ok: false; status: number; error: GraphError | null; text: string; retryAfterMs: number | null };

/** WhatsApp could not be reached: worth a retry. */
export const unreachable = (message: string) =>
  new ChannelSendError("provider_error", `Could not reach WhatsApp: ${message}`, true);

/** graphFetch whose network failure becomes the caller's error (a retryable send error, a set-up error). */
export async function graphReach(
  ctx: AdapterContext,
  token: string,
  method: "GET" | "POST",
  path: string,
  unreachable: (message: string) => Error,
  body?: unknown,
): Promise<GraphResult> {
  try {
    return await graphFetch(ctx, token, method, path, body);
  } catch (err) {
    throw unreachable((err as Error).message);
  }
}

/** One Graph call with the Bearer token; network failures throw (the caller decides what they mean). */
export async function graphFetch(
  ctx: AdapterContext,
  token: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<GraphResult> {
  // A FormData body (a media upload) goes as multipart/form-data, with the boundary fetch chooses.
  const form = body instanceof FormData;
  const res = await fetch(graphUrl(ctx, path), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined || form ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(ctx.timeoutMs),
  });
  const text = await res.text().catch(() => "");
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.ok) return { ok: true, status: res.status, json };
  const parsed = GraphErrorBody.safeParse(json);
  const retryAfter = Number(res.headers.get("retry-after"));
  return {
    ok: false,
    status: res.status,
    error: parsed.success ? parsed.data.error : null,
    text: text.slice(0, 500),
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
  };
}

/** The provider's own words for an error: "(#131047) Re-engagement message: <details>". */
export function describeGraphError(e: {
  code?: number | undefined;
  message?: string | undefined;
  title?: string | undefined;
  details?: string | undefined;
}): string {
  let head = (e.message ?? e.title ?? "Unknown error").trim();
  if (e.code !== undefined && !head.startsWith("(#")) head = `(#${e.code}) ${head}`;
  const details = e.details?.trim();
  return (details && !head.includes(details) ? `${head}: ${details}` : head).slice(0, 1000);
}

/** Rate-limit codes and how long to wait before trying again when Meta gives no Retry-After. */
const RATE_LIMITS: Record<number, number> = {
  4: 60_000, // application request limit
  80007: 60_000, // WhatsApp Business Account rate limit
  130429: 1_000, // Cloud API throughput (messages per second per number)
  131056: 6_000, // pair rate limit: about one message per 6 s to the same user
  131048: 60_000, // spam rate limit
  131057: 60_000, // number being upgraded to a higher throughput
};
const TRANSIENT = new Set([1, 2, 131000, 131016, 133004]);

/** The normalised reason of a WhatsApp error code (synchronous or in a `failed` status). */
export function reasonOf(code: number | undefined, details = ""): FailureReason {
  switch (code) {
    case 131047: // re-engagement: more than 24 h since the customer last wrote
      return "window_closed";
    case 131053: // media upload error
    case 131052:
      return "attachment_rejected";
    case 10:
    case 200:
    case 368:
    case 131031:
      return "not_permitted";
    case 100:
      return /at most \d+ characters|too long/i.test(details) ? "too_long" : "provider_error";
    default: // 131026 undeliverable, 131051 unsupported type, 190 token, 131049, ...
      return "provider_error";
  }
}

/** Turns a refused Graph call into the ChannelSendError the send job understands. */
export function sendErrorOf(r: Extract<GraphResult, { ok: false }>): ChannelSendError {
  const e = r.error;
  const details = e && typeof e.error_data === "object" ? e.error_data?.details : undefined;
  const detail = e
    ? describeGraphError({ code: e.code, message: e.message, details })
    : `WhatsApp answered HTTP ${r.status}: ${r.text || "(no body)"}`;
  const code = e?.code;
  if (code === 190)
    return new ChannelSendError(
      "provider_error",
      `The access token was refused; update the connection's token. ${detail}`,
      false,
    );
  if (r.status === 429 || (code !== undefined && code in RATE_LIMITS)) {
    const wait = r.retryAfterMs ?? (code !== undefined ? RATE_LIMITS[code] : undefined) ?? 5_000;
    return new ChannelSendError("provider_error", detail, true, wait);
  }
  if (r.status >= 500 || e?.is_transient || (code !== undefined && TRANSIENT.has(code)))
    return new ChannelSendError("provider_error", detail, true);
  return new ChannelSendError(reasonOf(code, `${e?.message ?? ""} ${details ?? ""}`), detail, false);
}

/** Reason and words of an asynchronous `failed` status. */
export function statusFailure(errors: WaStatusError[] | undefined): {
  reason: FailureReason;
  detail: string;
} {
  const e = errors?.[0];
  if (!e) return { reason: "provider_error", detail: "WhatsApp reported the message as failed." };
  const details = e.error_data?.details;
  return {
    reason: reasonOf(e.code, `${e.message ?? ""} ${details ?? ""}`),
    detail: describeGraphError({ code: e.code, title: e.title ?? e.message, details: details ?? e.message }),
  };
}
