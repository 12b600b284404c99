/**
 * Routes only a signed-in person may call, never an API token (R806): what belongs to one person rather than to
 * the workspace — their profile, password, avatar, sessions, two-factor, notifications and presence, signing out —
 * the realtime socket, and making new tokens (which asks for a recent sign-in). One list, by path prefix, so
 * routes added under these paths later are covered too; a route elsewhere sets `config: { personOnly: true }`.
 */
const PERSON_ONLY_PREFIXES = [
  "/api/me",
  "/api/auth/",
  "/api/sessions",
  "/api/two-factor",
  "/api/notifications",
  "/api/notification-rules/mine",
  "/api/push",
  "/api/presence",
  "/api/realtime",
];
/** Exact routes (method and pattern). */
const PERSON_ONLY_ROUTES = new Set(["POST /api/api-tokens"]);

const under = (route: string, prefix: string) =>
  route === prefix || route.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);

/** Whether an API token is refused on this route (its matched pattern, e.g. `/api/me/password`). */
export function isPersonOnly(method: string, route: string, flagged: boolean | undefined): boolean {
  if (flagged) return true;
  if (PERSON_ONLY_ROUTES.has(`${method} ${route}`)) return true;
  return PERSON_ONLY_PREFIXES.some((p) => under(route, p));
}

/**
 * The OpenAPI `security` of a route: none for a public one; the session cookie (with the CSRF header on a
 * write) or an API token for the rest, the cookie alone on the routes only a person may call.
 */
export function securityOf(
  method: string,
  url: string,
  config: { auth?: boolean; personOnly?: boolean } | undefined,
): Record<string, string[]>[] | undefined {
  if (!url.startsWith("/api/") || url.startsWith("/api/docs")) return undefined;
  if (config?.auth === false) return [];
  const session: Record<string, string[]> = ["GET", "HEAD"].includes(method)
    ? { session: [] }
    : { session: [], csrf: [] };
  return isPersonOnly(method, url, config?.personOnly) ? [session] : [session, { bearer: [] }];
}
