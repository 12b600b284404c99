import { isIP } from "node:net";

/**
 * The audit page's address filter, as an admin types it: a whole address (`10.1.2.3`, `2001:db8::1`), a
 * network in CIDR form (`10.0.0.0/8`, `2001:db8::/32`) or the start of an address (`10.1.`, `2001:db8:`).
 */
export type AddressFilter =
  | { kind: "address"; value: string }
  | { kind: "network"; value: string }
  | { kind: "start"; value: string };

/** `::ffff:10.1.2.3` (an IPv4 client of a dual-stack socket) is the IPv4 address; the database stores it so. */
const unmap = (s: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(s) ? s.slice(7) : s);

/** The start of an IPv4 or IPv6 address: digits and dots, or hex digits and colons. */
export function addressStart(s: string): string | null {
  if (/^\d{1,3}(\.\d{0,3}){0,3}$/.test(s)) return s;
  if (/^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){1,7}$/i.test(s) && !s.includes(":::")) return s.toLowerCase();
  return null;
}

/** The filter, or what is wrong with it (the API answers 400 with it; the caller adds the full stop). */
export function parseAddressFilter(raw: string): AddressFilter | string {
  const s = raw.trim();
  const slash = s.indexOf("/");
  if (slash >= 0) {
    const address = unmap(s.slice(0, slash));
    const bits = s.slice(slash + 1);
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    if (!family || !/^\d{1,3}$/.test(bits))
      return `"${s}" is not a network: write an address, a slash and a prefix length, like 10.0.0.0/8 or 2001:db8::/32`;
    if (Number(bits) > max) return `"${s}" is not a network: an IPv${family} prefix length is 0 to ${max}`;
    return { kind: "network", value: `${address}/${Number(bits)}` };
  }
  if (isIP(s)) return { kind: "address", value: unmap(s) };
  const start = addressStart(s);
  if (start) return { kind: "start", value: start };
  return `"${s}" is not an address: type a whole address (10.1.2.3), its start (10.1.) or a network (10.0.0.0/8)`;
}
