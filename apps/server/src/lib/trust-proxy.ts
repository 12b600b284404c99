import { parseAllowList } from "./egress";

/** Named ranges Fastify's `trustProxy` (proxy-addr) understands. */
const NAMED = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * TRUST_PROXY as Fastify's `trustProxy` takes it: `false` (X-Forwarded-For ignored), `true` (believed from
 * anyone), or a list of the proxies' addresses and CIDR ranges (X-Forwarded-For believed only when the connection comes from one of them, and
 * read back to the first address that is not a trusted proxy). Throws a message naming the bad part.
 */
export function parseTrustProxy(value: string): boolean | string[] {
  const v = value.trim().toLowerCase();
  if (["false", "0", "no", ""].includes(v)) return false;
  // "1" has always meant true here (like yes), not one hop.
  if (["true", "1", "yes"].includes(v)) return true;
  if (/^\d+$/.test(v))
    // Fastify (5.7+) ignores X-Forwarded-For under a bare hop count, since it cannot tell a proxy from a
    // client that sent enough entries of its own: a number would silently record the proxy's address.
    throw new Error(
      `a hop count (${v}) cannot tell the proxy from a client: list the proxies' addresses or ranges instead, like 10.0.0.5 or 10.1.0.0/16`,
    );
  const entries = v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (NAMED.has(entry)) continue;
    try {
      parseAllowList(entry);
    } catch {
      throw new Error(
        `"${entry}" is not a proxy address, CIDR range or name: use false, true, or a comma list like 10.0.0.5,10.1.0.0/16,loopback`,
      );
    }
  }
  return entries;
}
