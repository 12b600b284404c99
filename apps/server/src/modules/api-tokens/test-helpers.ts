import type { Permission } from "@parley/protocol";
import type { ApiResponse, Client } from "../../testing/harness";

/** Creates a token through the API as `owner` and returns its secret and id. */
export async function createTokenAs(
  owner: Client,
  permissions: readonly Permission[],
  extra: { name?: string; expiresAt?: string | null; rateLimit?: number } = {},
) {
  const r = await owner.post("/api/api-tokens", { name: extra.name ?? "Script", permissions, ...extra });
  if (r.status !== 201) throw new Error(`token failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.token.id as string, secret: r.body.secret as string, token: r.body.token };
}

/** One request with `Authorization: Bearer`, no cookie and no CSRF header (from `ip` behind a trusted proxy). */
export async function withToken(
  base: string,
  secret: string,
  method: string,
  path: string,
  body?: unknown,
  ip?: string,
): Promise<ApiResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${secret}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (ip) headers["x-forwarded-for"] = ip;
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, body: parsed as ApiResponse["body"], headers: res.headers };
}
