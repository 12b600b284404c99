import { describe, expect, it } from "vitest";
import type { Db, Queryable } from "../../db/client";
import { apiConnection, newWorkspace } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { WebhookTargetCache } from "./webhook-cache";

const t = useTestServer();

/**
 * The test database behind a gate: statements are counted and run at once, but their results are held while
 * the gate is closed (a read that has seen the database and not yet answered); `failNext` fails the next one.
 */
function gatedDb(db: Db) {
  let statements = 0;
  let answered = 0;
  let open = Promise.resolve();
  let release = () => {};
  let fail = false;
  const gated: Db = {
    ...db,
    async query<T>(sql: Parameters<Queryable["query"]>[0], params?: unknown[]) {
      statements++;
      const failing = fail;
      fail = false;
      const rows = await db.query<T>(sql, params);
      answered++;
      await open;
      if (failing) throw new Error("the database went away");
      return rows;
    },
  };
  return {
    db: gated,
    statements: () => statements,
    /** Statements the database has answered (their results may still be held). */
    answered: () => answered,
    close() {
      open = new Promise((r) => {
        release = r;
      });
    },
    open: () => release(),
    failNext: () => {
      fail = true;
    },
  };
}

async function setUp() {
  const { owner } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  const gate = gatedDb(t.db);
  let now = 1_000_000;
  const cache = new WebhookTargetCache(gate.db, t.server.ctx.secrets, () => now, 5_000);
  return { conn, gate, cache, advance: (ms: number) => (now += ms) };
}

/** Whether the promise has settled once everything already due has run. */
async function settled(p: Promise<unknown>) {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  return done;
}

describe("the webhook target cache", () => {
  it("reads a connection once however many webhooks ask for it at the same moment", async () => {
    const { conn, gate, cache } = await setUp();
    gate.close();
    const asked = Array.from({ length: 20 }, () => cache.get(conn.id));
    expect(await settled(asked[0]!)).toBe(false);
    gate.open();
    const targets = await Promise.all(asked);
    expect(gate.statements()).toBe(1);
    expect(new Set(targets.map((x) => x?.id))).toEqual(new Set([conn.id]));
    expect(targets[0]!.enabled).toBe(true);
    await cache.get(conn.id);
    expect(gate.statements()).toBe(1);
  });

  it("keeps answering from an expired entry while one read refreshes it, then from what that read found", async () => {
    const { conn, gate, cache, advance } = await setUp();
    expect((await cache.get(conn.id))!.enabled).toBe(true);
    // Another process disables the connection.
    await t.db.query("update channel_connections set enabled = false where id = $1", [conn.id]);
    advance(5_001);
    gate.close();
    // Stale, and nobody waits: every caller gets the entry at once while a single read runs.
    const during = await Promise.all(Array.from({ length: 20 }, () => cache.get(conn.id)));
    expect(during.every((x) => x!.enabled)).toBe(true);
    expect(gate.statements()).toBe(2);
    gate.open();
    await expect.poll(async () => (await cache.get(conn.id))!.enabled).toBe(false);
    expect(gate.statements()).toBe(2);
  });

  it("waits for a read once an entry is twice its lifetime old", async () => {
    const { conn, gate, cache, advance } = await setUp();
    await cache.get(conn.id);
    await t.db.query("update channel_connections set enabled = false where id = $1", [conn.id]);
    advance(10_001);
    gate.close();
    const asked = cache.get(conn.id);
    expect(await settled(asked)).toBe(false);
    gate.open();
    expect((await asked)!.enabled).toBe(false);
    expect(gate.statements()).toBe(2);
  });

  it("does not keep what a read found when the connection changed through this process meanwhile", async () => {
    const { conn, gate, cache } = await setUp();
    gate.close();
    const before = cache.get(conn.id);
    // The read has seen the row (its answer is held) before the change.
    await expect.poll(() => gate.answered()).toBe(1);
    await t.db.query("update channel_connections set enabled = false where id = $1", [conn.id]);
    cache.invalidate(conn.id);
    gate.open();
    // That read saw the connection before the change…
    expect((await before)!.enabled).toBe(true);
    // …and is not kept: the next webhook reads the connection again.
    expect((await cache.get(conn.id))!.enabled).toBe(false);
    expect(gate.statements()).toBe(2);
  });

  it("keeps nothing from a failed read: its callers see the failure, the next one reads again", async () => {
    const { conn, gate, cache, advance } = await setUp();
    gate.failNext();
    await expect(cache.get(conn.id)).rejects.toThrow("the database went away");
    expect((await cache.get(conn.id))!.id).toBe(conn.id);
    expect(gate.statements()).toBe(2);
    // A failed refresh of an expired entry: the entry still answers, and the next webhook tries again.
    advance(5_001);
    gate.failNext();
    expect((await cache.get(conn.id))!.id).toBe(conn.id);
    await expect.poll(() => gate.statements()).toBe(3);
    // Once that read has failed, the next webhook (still answered from the entry) starts another.
    await expect
      .poll(async () => {
        expect((await cache.get(conn.id))!.id).toBe(conn.id);
        return gate.statements();
      })
      .toBe(4);
    expect((await cache.get(conn.id))!.id).toBe(conn.id);
    expect(gate.statements()).toBe(4);
  });
});
