import dns from "node:dns";
import net from "node:net";

/** Which addresses the egress guard refuses, and why. */

export class EgressRefused extends Error {
  readonly code = "EGRESS_REFUSED";
  constructor(readonly reason: string) {
    super(`egress refused: ${reason}`);
    this.name = "EgressRefused";
  }
}

const v4 = (list: net.BlockList, ranges: [string, number][]) => {
  for (const [a, p] of ranges) list.addSubnet(a, p, "ipv4");
};

/** Addresses not on the public internet (IANA special-purpose registries). */
const PRIVATE_V4 = new net.BlockList();
v4(PRIVATE_V4, [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
]);

const PRIVATE_V6 = new net.BlockList();
for (const [a, p] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["100::", 64], // discard
  ["2001::", 23], // IETF protocol assignments (Teredo and others)
  ["2001:db8::", 32], // documentation
  ["64:ff9b:1::", 48], // local-use NAT64
  ["fc00::", 7], // unique-local (fd00:ec2::254: the AWS metadata service)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as [string, number][])
  PRIVATE_V6.addSubnet(a, p, "ipv6");

/** Cloud metadata services: refused even when EGRESS_ALLOW covers them. */
const METADATA_ADDRESSES = new Set(["169.254.169.254", "fd00:ec2::254", "100.100.100.200"]);
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data"]);

/** The eight 16-bit groups of an IPv6 address (with an embedded dotted quad, if any), or null. */
function ipv6Groups(address: string): number[] | null {
  let a = address.toLowerCase();
  const zone = a.indexOf("%");
  if (zone >= 0) a = a.slice(0, zone);
  const dotted = a.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const o = dotted[1]!.split(".").map(Number);
    a = `${a.slice(0, -dotted[1]!.length)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = a.split("::");
  if (halves.length > 2) return null;
  const part = (s: string) => (s ? s.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const groups = [...head, ...Array(fill).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4), if it embeds one. */
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (!g) return null;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(5) && g[5] === 0xffff) return quad(g[6]!, g[7]!); // ::ffff:a.b.c.d (mapped)
  if (zeros(5) && g[5] === 0 && (g[6]! !== 0 || g[7]! > 1)) return quad(g[6]!, g[7]!); // ::a.b.c.d (compatible)
  if (zeros(4) && g[4] === 0xffff && g[5] === 0) return quad(g[6]!, g[7]!); // ::ffff:0:a.b.c.d (translated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return quad(g[6]!, g[7]!); // NAT64
  if (g[0] === 0x2002) return quad(g[1]!, g[2]!); // 6to4
  return null;
}

/** The canonical form of an IP address (IPv4 for IPv6 forms embedding one), or null when it is not one. */
function canonical(address: string): { address: string; family: "ipv4" | "ipv6" } | null {
  const bare = address.replace(/^\[|\]$/g, "");
  if (net.isIPv4(bare)) return { address: bare, family: "ipv4" };
  if (!net.isIPv6(bare)) return null;
  const inner = embeddedIpv4(bare);
  if (inner) return { address: inner, family: "ipv4" };
  const g = ipv6Groups(bare);
  return { address: g ? g.map((x) => x.toString(16)).join(":") : bare.toLowerCase(), family: "ipv6" };
}

/**
 * Why an address may not be reached, or null when it may. `allow` lets listed ranges through (never the
 * metadata services).
 */
export function refusalOf(address: string, allow?: net.BlockList | null): string | null {
  const c = canonical(address);
  if (!c) return `${address} is not an IP address`;
  const shown = c.family === "ipv4" && c.address !== address ? `${address} (${c.address})` : address;
  if (METADATA_ADDRESSES.has(c.address) || (c.family === "ipv6" && isAwsMetadataV6(c.address)))
    return `${shown} is a cloud metadata address`;
  // Check the original form too: an allowed IPv6 range may be written as such.
  if (
    allow &&
    (allow.check(c.address, c.family) ||
      (c.family === "ipv4" && net.isIPv6(address) && allow.check(address, "ipv6")))
  )
    return null;
  const blocked =
    c.family === "ipv4" ? PRIVATE_V4.check(c.address, "ipv4") : PRIVATE_V6.check(c.address, "ipv6");
  return blocked ? `${shown} is not a public address` : null;
}

const isAwsMetadataV6 = (a: string) => {
  const g = ipv6Groups(a);
  return !!g && g[0] === 0xfd00 && g[1] === 0xec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254;
};

/**
 * Parses EGRESS_ALLOW: comma-separated CIDR ranges or single addresses (`127.0.0.1/32, ::1`). Throws a
 * message naming the bad entry.
 */
export function parseAllowList(value: string): net.BlockList | null {
  const entries = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, bits, extra] = entry.split("/");
    const family = net.isIPv4(address ?? "") ? "ipv4" : net.isIPv6(address ?? "") ? "ipv6" : null;
    const max = family === "ipv4" ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (!family || extra !== undefined || !/^\d+$/.test(bits ?? String(max)) || prefix > max)
      throw new Error(`"${entry}" is not an address or CIDR range like 127.0.0.1/32 or ::1/128`);
    list.addSubnet(address!, prefix, family);
  }
  return list;
}

/** Refuses a URL by its form alone: scheme, metadata names, IP literals. Names are checked at connection. */
export function checkUrl(url: URL, opts: { allow?: net.BlockList | null; httpsOnly?: boolean } = {}): void {
  const schemes = opts.httpsOnly ? ["https:"] : ["http:", "https:"];
  if (!schemes.includes(url.protocol))
    throw new EgressRefused(
      `${url.protocol.replace(/:$/, "")} URLs are not allowed (only ${schemes.map((s) => s.slice(0, -1)).join(" or ")})`,
    );
  const host = url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (!host) throw new EgressRefused("the URL has no host");
  if (METADATA_NAMES.has(host)) throw new EgressRefused(`${host} is a cloud metadata service`);
  if (net.isIP(host)) {
    const why = refusalOf(host, opts.allow);
    if (why) throw new EgressRefused(why);
  }
}

/**
 * Why a supplied URL may not be used, or null: its form, and where its name resolves now (for a clear answer
 * when it is saved; the request itself is checked again at connection). A name that does not resolve now
 * is not refused here.
 */
export async function refusalOfUrl(
  policy: EgressPolicy,
  input: string,
  opts: { httpsOnly?: boolean } = {},
): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return "not a valid URL";
  }
  try {
    checkUrl(url, { allow: policy.allow, httpsOnly: opts.httpsOnly });
  } catch (err) {
    if (err instanceof EgressRefused) return err.reason;
    throw err;
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) return null;
  const addresses = await dns.promises.lookup(host, { all: true }).catch(() => []);
  const refused = addresses.map((a) => refusalOf(a.address, policy.allow));
  return addresses.length > 0 && refused.every(Boolean) ? `${host}: ${refused[0]}` : null;
}

export interface EgressPolicy {
  /** EGRESS_ALLOW, parsed. */
  allow: net.BlockList | null;
  /** Extra certificate authorities trusted for HTTPS (OUTBOUND_CA_FILE). */
  ca?: string | null;
}
