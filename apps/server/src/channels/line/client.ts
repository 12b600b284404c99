import type { AdapterContext } from "../types";
import { LineErrorBody } from "./payloads";

/**
 * A Messaging API call LINE did not accept: the HTTP status (null: LINE could not be reached) and LINE's own
 * `message` and `details`, never the access token.
 */
export class LineError extends Error {
  constructor(
    public readonly httpStatus: number | null,
    message: string,
    public readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface LineAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * Calls LINE with the channel access token as a Bearer token (`base` is the API or the api-data host): 2xx
 * answers and 409 (a retry key LINE already accepted) come back; everything else throws LineError with
 * LINE's words.
 */
export async function callLine(
  ctx: AdapterContext,
  token: string,
  req: {
    base: string;
    method: "GET" | "POST" | "PUT";
    path: string;
    body?: unknown;
    headers?: Record<string, string>;
  },
): Promise<LineAnswer> {
  const url = `${req.base}${req.path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(req.body !== undefined ? { "content-type": "application/json" } : {}),
        ...req.headers,
      },
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why =
      e.name === "TimeoutError" ? `no answer within ${ctx.timeoutMs} ms` : (e.cause?.code ?? e.message);
    throw new LineError(null, `Could not reach LINE (${new URL(url).host}): ${why}`);
  }
  const text = await res.text().catch(() => "");
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): judged by the status.
  }
  if (res.ok || res.status === 409) return { status: res.status, body, headers: res.headers };
  const err = LineErrorBody.safeParse(body);
  const details = err.success
    ? (err.data.details ?? [])
        .map((d) => [d.property, d.message].filter(Boolean).join(": "))
        .filter(Boolean)
        .join("; ")
    : "";
  const words = err.success && err.data.message ? err.data.message : `HTTP ${res.status}`;
  const seconds = Number(res.headers.get("retry-after"));
  throw new LineError(
    res.status,
    `LINE answered ${res.status}: ${words}${details ? ` (${details})` : ""}`.slice(0, 1000),
    Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined,
  );
}
