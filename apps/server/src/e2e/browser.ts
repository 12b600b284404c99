import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { WEB_DIST } from "../http/web-app";
import { openTestDb } from "../testing/db";
import { PASSWORD, startTestServer, type TestServer } from "../testing/harness";

/**
 * Shared set-up of the browser tests: Chromium driven by playwright-core against the built web app. The
 * browser is `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`, else the Chromium build that comes from npm
 * (`@sparticuz/chromium`, unpacked once by the global set-up). They fail (never skip) without one.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Waits for a condition the page reaches asynchronously (socket frames, jobs, debounced saves). */
export const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 8000, interval: 50 });

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * The serious and critical axe-core violations on the page, once its animations have finished: a popover
 * or a modal still fading in is checked at its final colours, not half-transparent.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {})))");
  // Evaluated rather than added as a script tag: the app's Content-Security-Policy refuses inline scripts.
  await page.evaluate(fs.readFileSync(AXE, "utf8"));
  const violations = (await page.evaluate(
    'axe.run({ resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as { id: string; impact: string; nodes: { target: string[] }[] }[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id}: ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    );
}

/**
 * Waits until the page's realtime socket is attached (the header shows it open): what is committed from now on
 * reaches the page without a reload.
 */
export async function socketOpen(page: Page) {
  await page.locator('[data-socket="open"]').waitFor();
}

/** Builds the web app when missing or stale (once per test process: the sources do not change during a run). */
let webAppChecked = false;
function ensureWebApp() {
  if (webAppChecked) return;
  // The server serves apps/web/dist: build it when missing or older than its sources.
  const build = spawnSync(process.execPath, [path.join(ROOT, "apps/web/scripts/ensure-build.mjs")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`building the web app failed:\n${build.stdout}\n${build.stderr}`);
  if (!fs.existsSync(path.join(WEB_DIST, "index.html"))) throw new Error(`no web app in ${WEB_DIST}`);
  webAppChecked = true;
}

/**
 * One Chromium per test process, started by the first file that needs it. The browser project runs its
 * files one after another in one process (`isolate: false`), so the later files reuse it; playwright-core
 * kills it (and removes its profile) when the process exits.
 */
let chromiumProcess: Promise<Browser> | undefined;
function sharedChromium(): Promise<Browser> {
  chromiumProcess ??= chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS }).then((b) => {
    // A Chromium that crashed is started again by the next file.
    b.on("disconnected", () => {
      chromiumProcess = undefined;
    });
    return b;
  });
  return chromiumProcess;
}

/**
 * A browser of its own: a new context (its own cookies, storage and cache, like a fresh profile) in the
 * shared Chromium, building the web app first when it is missing or stale.
 */
export async function launchBrowser(): Promise<{ browser: BrowserContext; close: () => Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM} (set CHROMIUM_PATH to a Chromium binary, or unset it to use Debian's or npm's).`,
    );
  }
  ensureWebApp();
  const browser = await (await sharedChromium()).newContext({
    viewport: { width: 1360, height: 860 },
    locale: "en-US",
  });
  browser.setDefaultTimeout(10_000);
  return { browser, close: () => browser.close() };
}

/** A new tab that records the errors thrown in it; `check` asserts there were none. */
export async function openPage(browser: BrowserContext) {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return {
    page,
    check: async () => {
      await page.close();
      expect(errors, "errors thrown in the page").toEqual([]);
    },
  };
}

/**
 * A test file's browser, launched before its tests. What the tests open (tabs, servers on fresh databases,
 * anything given to `cleanups`) is closed after them, newest first, once the browser is closed; a tab
 * that threw an error fails the file then.
 */
export function useBrowser() {
  let browser: BrowserContext | undefined;
  let closeBrowser: (() => Promise<void>) | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    ({ browser, close: closeBrowser } = await launchBrowser());
  }, 120_000);
  afterAll(async () => {
    await closeBrowser?.();
    for (const c of cleanups.reverse()) await c();
  });
  const opened = () => {
    if (!browser) throw new Error("the browser starts in beforeAll");
    return browser;
  };
  return {
    get browser() {
      return opened();
    },
    cleanups,
    /** A new tab, checked for errors after the tests. */
    async newPage(): Promise<Page> {
      const { page, check } = await openPage(opened());
      cleanups.push(check);
      return page;
    },
    /** A server of its own on a fresh test database. */
    async serverOnFreshDb(opts: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> {
      const db = await openTestDb();
      const t = await startTestServer(db.db, opts);
      cleanups.push(
        () => db.close(),
        () => t.close(),
      );
      return t;
    },
  };
}

/** Signs in through the sign-in form and waits for the inbox. */
export async function signIn(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.locator(`input[name="password"]`).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/inbox/);
}

/** Saves a screenshot when E2E_SCREENSHOT_DIR is set (to look at the pages by eye). */
export async function screenshot(page: Page, name: string) {
  const dir = process.env.E2E_SCREENSHOT_DIR;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`) });
}
