import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPglite } from "../db/client";
import { migrate } from "../db/migrate";
import { dovecotInstalled } from "./fakes/email";

/** Builds one migrated embedded database that every test file copies (initdb takes seconds; a copy does not). */
export default async function setup() {
  await useChromiumFromNpmIfNeeded();
  if (!dovecotInstalled()) {
    console.warn(
      "Email channel tests: NOT RUN - they need Debian's Dovecot (apt-get install -y dovecot-imapd; .ci/run installs it).",
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-template-"));
  const db = await openPglite(dir);
  await migrate(db);
  await db.close();
  process.env.PARLEY_TEST_TEMPLATE = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true });
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
