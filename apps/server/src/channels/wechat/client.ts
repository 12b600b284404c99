import { sharedAccessToken } from "../access-token";
import type { AdapterContext } from "../types";
import { type WechatAnswer, WechatAnswer as WechatAnswerSchema } from "./payloads";

/** A WeChat API call that did not succeed: WeChat's `errcode` and `errmsg`, or (errcode null) no answer. */
export class WechatError extends Error {
  constructor(
    public readonly errcode: number | null,
    message: string,
  ) {
    super(message);
  }
}

/** Refresh a token this long before WeChat says it expires. */
const REFRESH_AHEAD_MS = 5 * 60_000;
/** The token was refused: invalid (40001), expired (42001) or not an access token (40014). */
export const TOKEN_REFUSED = new Set([40001, 40014, 42001]);

interface Connection {
  id: string;
  credentials: { appId: string; appSecret: string };
}

/** Calls `<base><path>?<query>` and returns WeChat's JSON answer, throwing WechatError on a non-zero errcode. */
export async function callWechat(
  ctx: AdapterContext,
  path: string,
  query: Record<string, string>,
  init: { method?: "GET" | "POST"; json?: unknown; form?: FormData } = {},
): Promise<WechatAnswer> {
  const url = `${ctx.endpoints.wechatApiBase}${path}?${new URLSearchParams(query)}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? (init.json !== undefined || init.form ? "POST" : "GET"),
      ...(init.json !== undefined
        ? { headers: { "content-type": "application/json" }, body: JSON.stringify(init.json) }
        : init.form
          ? { body: init.form }
          : {}),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why =
      e.name === "TimeoutError" ? `no answer within ${ctx.timeoutMs} ms` : (e.cause?.code ?? e.message);
    throw new WechatError(null, `Could not reach WeChat (${new URL(url).host}): ${why}`);
  }
  const text = await res.text().catch(() => "");
  let parsed: ReturnType<typeof WechatAnswerSchema.safeParse> | null = null;
  try {
    parsed = WechatAnswerSchema.safeParse(JSON.parse(text));
  } catch {}
  if (!parsed?.success)
    throw new WechatError(null, `WeChat answered ${res.status} with something unreadable.`);
  const a = parsed.data;
  if (a.errcode)
    throw new WechatError(
      a.errcode,
      `WeChat refused (errcode ${a.errcode}): ${a.errmsg ?? "no message"}`.slice(0, 1000),
    );
  if (!res.ok) throw new WechatError(null, `WeChat answered HTTP ${res.status}.`);
  return a;
}

/** Asks WeChat for a new access token (`GET /cgi-bin/token`). */
async function issueToken(ctx: AdapterContext, c: Connection) {
  const a = await callWechat(ctx, "/cgi-bin/token", {
    grant_type: "client_credential",
    appid: c.credentials.appId,
    secret: c.credentials.appSecret,
  });
  if (!a.access_token) throw new WechatError(null, "WeChat answered without an access token.");
  return { token: a.access_token, expiresInMs: (a.expires_in ?? 7200) * 1000 };
}

/** The connection's access token, shared by every process and refreshed ahead of expiry (one refresh at a time). */
export const accessToken = (ctx: AdapterContext, c: Connection, refused?: string) =>
  sharedAccessToken(ctx, c.id, () => issueToken(ctx, c), {
    refreshAheadMs: REFRESH_AHEAD_MS,
    ...(refused ? { refused } : {}),
  });

/**
 * Runs a call with the access token; when WeChat says the token is invalid or expired (another process, or
 * WeChat's own refresh, replaced it), gets a new one and tries once more.
 */
export async function withToken<T>(
  ctx: AdapterContext,
  c: Connection,
  call: (token: string) => Promise<T>,
): Promise<T> {
  const token = await accessToken(ctx, c);
  try {
    return await call(token);
  } catch (err) {
    if (!(err instanceof WechatError && err.errcode !== null && TOKEN_REFUSED.has(err.errcode))) throw err;
    return call(await accessToken(ctx, c, token));
  }
}
