import { beforeAll, describe, expect, it } from "vitest";
import { type Client, newWorkspace } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { recordAudit } from "./record";
import { verifyAuditLog } from "./verify";

const t = useTestServer();
const BASE = Date.parse("2026-04-01T12:00:00Z");

let owner: Client;
let workspaceId: string;

/** One entry per address, the newest last; `i` tells them apart. */
const ADDRESSES = [
  "10.1.2.3",
  "10.1.2.30",
  "10.1.9.9",
  "::ffff:10.1.7.7", // an IPv4 client of a dual-stack socket
  "192.168.0.5",
  "2001:db8::1",
  "2001:db8:5::2",
  "fe80::1",
  "unknown", // not an address: still recorded, never matched by the address filter
];

beforeAll(async () => {
  ({ owner, workspaceId } = await newWorkspace(t));
  for (const [i, ip] of ADDRESSES.entries())
    await recordAudit(t.db, {
      workspaceId,
      userId: null,
      action: "webhook.created",
      targetType: "webhook",
      targetId: `hook-${i}`,
      data: { i },
      ip,
      userAgent: "Firefox/140",
      at: new Date(BASE + i * 60_000),
    });
});

const ours = (r: { body: { entries: { data: any }[] } }) =>
  r.body.entries.filter((e) => typeof e.data?.i === "number").map((e) => e.data.i as number);
const ip = (filter: string, more = "") =>
  owner.get(`/api/audit?ip=${encodeURIComponent(filter)}&action=webhook.${more}`);

describe("audit log address filter", () => {
  it("matches a whole address exactly, IPv4 and IPv6", async () => {
    expect(ours(await ip("10.1.2.3"))).toEqual([0]);
    expect(ours(await ip("2001:db8::1"))).toEqual([5]);
    expect(ours(await ip("2001:0db8:0:0::1"))).toEqual([5]);
    // The mapped form and the plain IPv4 address are the same client.
    expect(ours(await ip("10.1.7.7"))).toEqual([3]);
    expect(ours(await ip("::ffff:10.1.7.7"))).toEqual([3]);
    expect(ours(await ip("10.1.2.4"))).toEqual([]);
  });

  it("matches a network in CIDR form", async () => {
    expect(ours(await ip("10.0.0.0/8"))).toEqual([3, 2, 1, 0]);
    expect(ours(await ip("10.1.2.0/24"))).toEqual([1, 0]);
    // Host bits after the prefix do not matter: 10.1.2.77/24 is the network 10.1.2.0/24.
    expect(ours(await ip("10.1.2.77/24"))).toEqual([1, 0]);
    expect(ours(await ip("2001:db8::/32"))).toEqual([6, 5]);
    expect(ours(await ip("2001:db8:5::/48"))).toEqual([6]);
    expect(ours(await ip("0.0.0.0/0"))).toEqual([4, 3, 2, 1, 0]);
  });

  it("matches the start of an address as typed", async () => {
    expect(ours(await ip("10.1.2."))).toEqual([1, 0]);
    expect(ours(await ip("10.1.2.3"))).toEqual([0]); // whole: exact, not 10.1.2.30
    expect(ours(await ip("10.1"))).toEqual([3, 2, 1, 0]);
    expect(ours(await ip("192."))).toEqual([4]);
    expect(ours(await ip("2001:DB8:"))).toEqual([6, 5]);
    expect(ours(await ip("fe80:"))).toEqual([7]);
  });

  it("pages a filtered list with the cursor", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await ip("10.0.0.0/8", `&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.entries).toHaveLength(1);
      seen.push(...ours(page));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([3, 2, 1, 0]);
  });

  it("search that is an address, a network or its start searches the address", async () => {
    const q = async (s: string) =>
      ours(await owner.get(`/api/audit?q=${encodeURIComponent(s)}&action=webhook.`));
    expect(await q("10.1.2.3")).toEqual([0]);
    expect(await q("10.1.0.0/16")).toEqual([3, 2, 1, 0]);
    expect(await q("10.1.2.")).toEqual([1, 0]);
    expect(await q("2001:db8:5")).toEqual([6]);
    // Anything else is text: the target id, the user agent.
    expect(await q("hook-4")).toEqual([4]);
    expect(await q("unknown")).toEqual([]);
  });

  it("pages a text search with the cursor, from the newest rows and past them", async () => {
    for (const limit of [1, 2, 4]) {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await owner.get(
          `/api/audit?q=FIREFOX&action=webhook.&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(page.status).toBe(200);
        seen.push(...ours(page));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
    }
    expect(ours(await owner.get("/api/audit?q=hook-1&action=webhook.&limit=1"))).toEqual([1]);
  });

  it("refuses what is not an address, a start or a network with 400 naming it", async () => {
    const cases: [string, RegExp][] = [
      ["10.0.0.0/33", /"10\.0\.0\.0\/33" is not a network: an IPv4 prefix length is 0 to 32/],
      ["2001:db8::/129", /IPv6 prefix length is 0 to 128/],
      ["10.0.0/8", /"10\.0\.0\/8" is not a network: write an address, a slash and a prefix length/],
      ["10.0.0.0/", /is not a network/],
      ["10.0.0.0/x", /is not a network/],
      ["hello", /"hello" is not an address: type a whole address/],
      ["10.0.0.1; drop", /is not an address/],
    ];
    for (const [filter, message] of cases) {
      for (const path of ["/api/audit", "/api/audit/export.csv"]) {
        const r = await owner.get(`${path}?ip=${encodeURIComponent(filter)}`);
        expect(r.status, `${path} ${filter}`).toBe(400);
        expect(r.body.error.code).toBe("validation_failed");
        expect(r.body.error.message).toMatch(/querystring\.ip/);
        expect(r.body.error.message).toMatch(message);
      }
    }
  });

  it("keeps an entry whose address is not one, and the chain verifies", async () => {
    const all = await owner.get("/api/audit?action=webhook.&limit=100");
    expect(all.body.entries.find((e: any) => e.data.i === 8)).toMatchObject({ ip: "unknown" });
    const [row] = await t.db.query<{ ip_addr: string | null }>(
      "select ip_addr::text from audit_log where workspace_id = $1 and ip = 'unknown'",
      [workspaceId],
    );
    expect(row).toEqual({ ip_addr: null });
    const report = await verifyAuditLog(t.db, workspaceId);
    expect(report.problems).toEqual([]);
    expect(report.rows).toBeGreaterThanOrEqual(ADDRESSES.length);
  });
});
