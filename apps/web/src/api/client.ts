import type { ErrorCode } from "@parley/protocol";

/** An error answered by the API, with its stable code (translated by the UI) and the server's words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network",
    message: string,
    /** The server's details: for validation_failed, the fields that do not validate. */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
/** The session's CSRF token: sign-in, setup and GET /api/auth/session hand it out. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

/** The CSRF header for a write made without api() (an upload with a raw body). */
export const getCsrfHeader = (): Record<string, string> => (csrfToken ? { "x-csrf-token": csrfToken } : {});

/** Calls the REST API with the session cookie; unsafe methods carry the X-CSRF-Token header. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, "network", err instanceof Error ? err.message : String(err));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const e = (json as { error?: { code?: ErrorCode; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? "internal", e?.message ?? res.statusText, e?.details);
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body: unknown = {}) => api<T>("POST", path, body);
export const put = <T>(path: string, body: unknown = {}) => api<T>("PUT", path, body);
export const patch = <T>(path: string, body: unknown = {}) => api<T>("PATCH", path, body);
export const del = <T>(path: string) => api<T>("DELETE", path);
