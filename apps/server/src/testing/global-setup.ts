import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openPglite } from "../db/client";
import { migrate } from "../db/migrate";
import { imapServerInUse } from "./fakes/email";
import { redisInstalled } from "./redis";

/**
 * Provides one migrated embedded database that every test file copies (initdb takes seconds; a copy does
 * not). It is kept between runs in the temporary directory, named by what shapes it (the migrations and
 * the PGlite version): a run after a new migration builds a new one.
 */
export default async function setup() {
  // Three projects run on the embedded database (API, browser and multi-process tests): set up once.
  const shared = globalThis as { parleyEmbeddedSetup?: Promise<void> };
  shared.parleyEmbeddedSetup ??= setupOnce();
  await shared.parleyEmbeddedSetup;
}

async function setupOnce() {
  await useChromiumFromNpmIfNeeded();
  console.log(`Email channel tests: IMAP server ${imapServerInUse()}.`);
  if (!redisInstalled()) {
    console.warn(
      "Redis limit tests: NOT RUN - they need a Redis server (apt-get install -y redis-server; .ci/run installs it).",
    );
  }
  process.env.PARLEY_TEST_TEMPLATE = await migratedTemplate();
}

async function migratedTemplate(): Promise<string> {
  const dir = path.join(os.tmpdir(), `parley-template-${templateKey()}`);
  if (fs.existsSync(path.join(dir, "complete"))) return dir;
  // Built aside and renamed into place: a run that stops half-way, or one running at the same time, never
  // leaves a half-built template under the final name.
  const building = fs.mkdtempSync(path.join(os.tmpdir(), "parley-template-building-"));
  const db = await openPglite(building);
  await migrate(db);
  await db.close();
  fs.writeFileSync(path.join(building, "complete"), "");
  try {
    fs.renameSync(building, dir);
  } catch {
    // Another run put the same template there first.
    fs.rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

function templateKey(): string {
  const require = createRequire(import.meta.url);
  const hash = crypto.createHash("sha256");
  // The package exports only its entries (dist/…): its package.json is one folder up.
  const pglite = path.resolve(path.dirname(require.resolve("@electric-sql/pglite")), "..", "package.json");
  hash.update(JSON.parse(fs.readFileSync(pglite, "utf8")).version);
  const migrations = fileURLToPath(new URL("../db/migrations", import.meta.url));
  for (const file of fs.readdirSync(migrations).sort()) {
    hash.update(file);
    hash.update(fs.readFileSync(path.join(migrations, file)));
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * The browser tests drive CHROMIUM_PATH or Debian's /usr/bin/chromium. On a machine with neither, the
 * Chromium build that comes from npm (`@sparticuz/chromium`) is unpacked into the temporary directory (once
 * per machine: later runs find it there) and the test processes are pointed at it.
 */
async function useChromiumFromNpmIfNeeded() {
  if (process.env.CHROMIUM_PATH || fs.existsSync("/usr/bin/chromium")) return;
  const started = Date.now();
  const { default: chromium } = await import("@sparticuz/chromium");
  process.env.CHROMIUM_PATH = await chromium.executablePath();
  console.log(
    `Browser tests: no system Chromium, so they use Chromium from npm (@sparticuz/chromium) at ${process.env.CHROMIUM_PATH} (ready in ${Date.now() - started} ms).`,
  );
}
