import { beforeAll, describe, expect, it } from "vitest";
import { addUser, type Client, newWorkspace } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { recordAudit } from "./record";
import { pruneAuditLog } from "./retention";
import { verifyAuditLog } from "./verify";
import { printVerifyReport } from "./verify-report";

const t = useTestServer();
const DAY = 86400_000;
const BASE = Date.parse("2026-03-01T12:00:00Z");

let owner: Client;
let workspaceId: string;
let agent: { client: Client; id: string };

/** Entries spread over 10 days: two people, several actions and targets. */
async function seed(ws: string, users: string[], n: number, from = BASE) {
  const actions = ["connection.created", "auth.sign_in", "contact.erased", "workspace.updated"];
  for (let i = 0; i < n; i++)
    await recordAudit(t.db, {
      workspaceId: ws,
      userId: users.length ? users[i % users.length]! : null,
      action: actions[i % actions.length]!,
      targetType: i % 2 ? "contact" : "connection",
      targetId: `target-${i % 5}`,
      data: { i, note: i === 7 ? "Особая пометка" : "plain" },
      ip: `10.0.0.${i % 3}`,
      userAgent: i % 4 === 0 ? "Firefox/140" : "Chrome/141",
      at: new Date(from + i * DAY),
    });
}

beforeAll(async () => {
  ({ owner, workspaceId } = await newWorkspace(t));
  agent = await addUser(t, owner, "agent");
  await seed(workspaceId, [owner.user!.id, agent.id], 10);
});

const ours = (r: { body: { entries: { data: any }[] } }) =>
  r.body.entries.filter((e) => typeof e.data?.i === "number").map((e) => e.data.i as number);

describe("audit log API", () => {
  it("lists newest first and filters by person, action prefix, target, dates and search", async () => {
    const all = await owner.get("/api/audit?limit=200");
    expect(all.status).toBe(200);
    expect(ours(all)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const first = all.body.entries.find((e: any) => e.data?.i === 9);
    expect(first).toMatchObject({
      action: "auth.sign_in",
      targetType: "contact",
      targetId: "target-4",
      ip: "10.0.0.0",
      userAgent: "Chrome/141",
      user: { id: agent.id },
    });
    expect(ours(await owner.get(`/api/audit?user=${agent.id}`))).toEqual([9, 7, 5, 3, 1]);
    expect(ours(await owner.get("/api/audit?action=auth."))).toEqual([9, 5, 1]);
    expect(ours(await owner.get("/api/audit?action=auth.sign_in_failed"))).toEqual([]);
    expect(ours(await owner.get("/api/audit?targetType=contact&targetId=target-3"))).toEqual([3]);
    const from = new Date(BASE + 2 * DAY).toISOString();
    const to = new Date(BASE + 5 * DAY).toISOString();
    expect(ours(await owner.get(`/api/audit?from=${from}&to=${to}`))).toEqual([4, 3, 2]);
    expect(ours(await owner.get(`/api/audit?q=${encodeURIComponent("особая")}`))).toEqual([7]);
    expect(ours(await owner.get("/api/audit?q=firefox"))).toEqual([8, 4, 0]);
    expect(ours(await owner.get("/api/audit?q=10.0.0.2"))).toEqual([8, 5, 2]);
    // `%` and `_` are literal.
    expect(ours(await owner.get("/api/audit?q=%25"))).toEqual([]);
  });

  it("pages with a cursor and refuses a broken one", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await owner.get(
        `/api/audit?action=connection.&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(1);
      seen.push(...ours(page));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([8, 4, 0]);
    const bad = await owner.get("/api/audit?cursor=nonsense");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/cursor/);
  });

  it("is refused without audit.view, naming the permission", async () => {
    for (const path of ["/api/audit", "/api/audit/export.csv", "/api/audit/settings"]) {
      const r = await agent.client.get(path);
      expect(r.status).toBe(403);
      expect(r.body.error.message).toContain("audit.view");
    }
    const r = await agent.client.put("/api/audit/settings", { retentionDays: 90 });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain("workspace.manage");
  });

  it("exports the filtered entries as streamed CSV and records the export", async () => {
    const res = await fetch(`${t.url}/api/audit/export.csv?user=${agent.id}`, {
      headers: { cookie: owner.cookie!, "user-agent": "ExportBrowser/1.0" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    const text = (await res.text()).replace(/^\uFEFF/, "");
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe(
      "id,at,action,user_id,user_name,user_email,target_type,target_id,ip,user_agent,data",
    );
    const [{ n }] = (await t.db.query<{ n: number }>(
      "select count(*)::int as n from audit_log where workspace_id = $1 and user_id = $2",
      [workspaceId, agent.id],
    )) as [{ n: number }];
    expect(n).toBeGreaterThanOrEqual(5); // the seeded five, and the agent's sign-in
    expect(lines.length).toBe(1 + n);
    expect(lines.slice(1).every((l) => l.includes(agent.id))).toBe(true);
    // Newest first: the agent's sign-in today, then the seeded entries from the newest (i = 9) down.
    expect(lines[1]).toContain("auth.sign_in");
    expect(lines[2]).toContain('"{""i"":9');
    const logged = await owner.get("/api/audit?action=export.audit");
    expect(logged.body.entries[0]).toMatchObject({
      action: "export.audit",
      user: { id: owner.user!.id },
      userAgent: "ExportBrowser/1.0",
      data: { filters: { user: agent.id } },
    });
  });

  it("keeps the retention setting (default 365, at least 30) and records its change", async () => {
    expect((await owner.get("/api/audit/settings")).body).toEqual({ retentionDays: 365 });
    const low = await owner.put("/api/audit/settings", { retentionDays: 7 });
    expect(low.status).toBe(400);
    expect(JSON.stringify(low.body)).toContain("at least 30 days");
    expect((await owner.put("/api/audit/settings", { retentionDays: 400 })).body).toEqual({
      retentionDays: 400,
    });
    expect((await owner.get("/api/audit/settings")).body).toEqual({ retentionDays: 400 });
    const entry = (await owner.get("/api/audit?action=audit.retention_changed")).body.entries[0];
    expect(entry.data).toEqual({ before: { retentionDays: 365 }, after: { retentionDays: 400 } });
  });
});

describe("append-only hash chain", () => {
  it("refuses UPDATE, DELETE and TRUNCATE through the application's connection", async () => {
    await expect(
      t.db.query("update audit_log set action = 'x' where workspace_id = $1", [workspaceId]),
    ).rejects.toThrow(/append-only/);
    await expect(t.db.query("delete from audit_log where workspace_id = $1", [workspaceId])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.query("truncate audit_log")).rejects.toThrow(/append-only/);
    // The retention flag alone does not open the log: only rows up to the anchor may go.
    await expect(
      t.db.tx(async (q) => {
        await q.query("select set_config('parley.audit_retention', 'on', true)");
        await q.query("delete from audit_log where workspace_id = $1", [workspaceId]);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.db.query("update audit_chains set anchor_seq = 5 where workspace_id = $1", [workspaceId]),
    ).rejects.toThrow(/anchor/);
  });

  it("stays one chain under concurrent writers", async () => {
    const { owner: o, workspaceId: ws } = await newWorkspace(t);
    const earlier = (await verifyAuditLog(t.db, ws)).rows; // the owner's sign-ins
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.db.tx(async (q) => {
          await recordAudit(q, {
            workspaceId: ws,
            userId: o.user!.id,
            action: "test.concurrent",
            targetType: "test",
            data: { i },
            at: new Date(BASE),
          });
        }),
      ),
    );
    const report = await verifyAuditLog(t.db, ws);
    expect(report.problems).toEqual([]);
    expect(report.rows).toBe(earlier + 20);
  });

  /** What someone with the database's password could do: switch the trigger off and change rows. */
  async function tamper(sql: string, params: unknown[]) {
    await t.db.tx(async (q) => {
      await q.query("alter table audit_log disable trigger audit_log_append_only");
      await q.query(sql, params);
      await q.query("alter table audit_log enable trigger audit_log_append_only");
    });
  }

  it("verify detects a changed row and a deleted row", async () => {
    const { owner: o, workspaceId: ws } = await newWorkspace(t);
    await seed(ws, [o.user!.id], 6);
    const [{ n }] = (await t.db.query<{ n: number }>(
      "select count(*)::int as n from audit_log where workspace_id = $1",
      [ws],
    )) as [{ n: number }];
    expect(n).toBeGreaterThanOrEqual(7); // the owner's sign-in and the six seeded
    const lines: string[] = [];
    const sound = await verifyAuditLog(t.db, ws);
    expect(printVerifyReport(sound, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toContain(`sound: ${n} entries`);

    const rows = await t.db.query<{ id: string; chain_seq: string }>(
      "select id, chain_seq from audit_log where workspace_id = $1 order by chain_seq",
      [ws],
    );
    await tamper("update audit_log set data = jsonb_set(data, '{note}', '\"edited\"') where id = $1", [
      rows[2]!.id,
    ]);
    const changed = await verifyAuditLog(t.db, ws);
    expect(changed.problems).toEqual([
      expect.objectContaining({ kind: "changed", seq: 3, id: String(rows[2]!.id) }),
    ]);
    lines.length = 0;
    expect(printVerifyReport(changed, (l) => lines.push(l))).toBe(1);
    expect(lines.join("\n")).toMatch(/BROKEN.*\n.*#3 .*changed/);

    // The newest row goes: the chain's head names it.
    await tamper("delete from audit_log where id = $1", [rows[5]!.id]);
    expect((await verifyAuditLog(t.db, ws)).problems.map((p) => [p.kind, p.seq])).toEqual([
      ["changed", 3],
      ["deleted", 6],
    ]);
    // A row in the middle goes: the gap shows.
    await tamper("delete from audit_log where id = $1", [rows[3]!.id]);
    const deleted = await verifyAuditLog(t.db, ws);
    expect(deleted.problems.map((p) => [p.kind, p.seq])).toEqual([
      ["changed", 3],
      ["deleted", 4],
      ["deleted", 6],
    ]);
    expect(deleted.problems[1]!.detail).toMatch(/rows 4–4 are missing/);
  });

  it("verify detects a row inserted into the chain", async () => {
    const { owner: o, workspaceId: ws } = await newWorkspace(t);
    await seed(ws, [o.user!.id], 3);
    await t.db.tx(async (q) => {
      await q.query("alter table audit_log disable trigger audit_log_append");
      await q.query(
        `insert into audit_log (workspace_id, action, target_type, data, created_at, chain_seq, prev_hash, hash)
         select $1, 'forged', 'x', '{}', now(), max(chain_seq) + 1, repeat('a', 64), repeat('b', 64)
         from audit_log where workspace_id = $1`,
        [ws],
      );
      await q.query("alter table audit_log enable trigger audit_log_append");
    });
    const kinds = (await verifyAuditLog(t.db, ws)).problems.map((p) => p.kind);
    expect(kinds).toContain("inserted");
  });

  it("retention deletes the oldest entries and the rest still verifies", async () => {
    // A workspace whose log starts 100 days ago (one made through the API starts with today's sign-ins).
    const [w] = await t.db.query<{ id: string }>("insert into workspaces (name) values ($1) returning id", [
      "Retention",
    ]);
    const ws = w!.id;
    const start = t.server.ctx.clock.now().getTime() - 100 * DAY;
    await seed(ws, [], 10, start); // days -100 … -91
    await seed(ws, [], 3, start + 80 * DAY); // days -20 … -18
    await t.db.query("update audit_chains set retention_days = 30 where workspace_id = $1", [ws]);
    const deleted = await pruneAuditLog(t.db, t.server.ctx.clock.now());
    expect(deleted).toBeGreaterThanOrEqual(10);
    const left = await t.db.query<{ action: string }>(
      "select action from audit_log where workspace_id = $1 order by chain_seq",
      [ws],
    );
    // The three recent entries stay.
    expect(left.map((r) => r.action)).toHaveLength(3);
    const report = await verifyAuditLog(t.db, ws);
    expect(report.problems).toEqual([]);
    expect(report.rows).toBe(left.length);
    // A second run has nothing to do; a new entry still links to the chain.
    expect(await pruneAuditLog(t.db, t.server.ctx.clock.now())).toBe(0);
    await seed(ws, [], 1, t.server.ctx.clock.now().getTime());
    expect((await verifyAuditLog(t.db, ws)).problems).toEqual([]);
  });
});
