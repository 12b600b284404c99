import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, TEST_DB } from "../testing/db";
import { Client, PASSWORD, unique } from "../testing/harness";
import { BUILT_MAIN, killAllChildren, REPO_ROOT, runBuiltCli, spawnServer } from "../testing/spawn";

/**
 * The production build: `npm run build` bundles the server into apps/server/dist, which runs under plain
 * `node` — no TypeScript loader, no Vite — next to the built web app and widget, as `npm start` and
 * `npm run serve` run it. The build is made only when missing or older than its sources (what `npm start`
 * does first), so a run after an earlier one costs a few file checks.
 */

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "parley-build-"));
let testDb: Awaited<ReturnType<typeof openTestDb>> | undefined;

/** `node scripts/build.mjs --if-stale`: its output and how long it took. */
function buildIfStale(): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/build.mjs", "--if-stale"], {
      cwd: REPO_ROOT,
      // The production build whatever the runner's NODE_ENV.
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c));
    child.stderr.on("data", (c: Buffer) => (output += c));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output, ms: performance.now() - started }));
  });
}

beforeAll(async () => {
  const built = await buildIfStale();
  expect(built.code, built.output).toBe(0);
}, 600_000);

afterAll(async () => {
  await killAllChildren();
  await testDb?.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

describe("the built server", () => {
  it("is up to date after a build: a second start builds nothing", async () => {
    const again = await buildIfStale();
    expect(again.code, again.output).toBe(0);
    expect(again.output).toBe("");
    // Nothing the server needs at run time is a build tool.
    const meta = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "apps/server/dist/meta.json"), "utf8"));
    expect(meta.packages).toContain("fastify");
    for (const tool of ["tsx", "vite", "esbuild", "vitest"]) expect(meta.packages).not.toContain(tool);
    expect(fs.existsSync(path.join(REPO_ROOT, BUILT_MAIN))).toBe(true);
  });

  it(`runs with plain node on ${TEST_DB === "postgres" ? "PostgreSQL" : "the embedded database"}: health, the web app, the widget, the CLI, sign-in and the realtime socket`, async () => {
    let env: Record<string, string>;
    if (TEST_DB === "postgres") {
      testDb = await openTestDb();
      env = { DATABASE_URL: testDb.url!, EVENT_BUS: "postgres" };
    } else {
      // A copy of the migrated template (a new database takes long to create): the bundle still reads its
      // own copy of the migrations, checking each applied file's checksum against them.
      const dataDir = path.join(tmpRoot, unique("data"));
      fs.cpSync(process.env.PARLEY_TEST_TEMPLATE!, dataDir, { recursive: true });
      env = { DATA_DIR: dataDir };
    }
    const server = await spawnServer(env, { built: true, readyTimeoutMs: 120_000 });
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      ok: true,
      database: TEST_DB === "postgres" ? "postgres" : "pglite",
    });

    // `/` is the built web app (apps/web/dist), and its script is served.
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    const script = html.match(/<script[^>]+src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${server.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    // The widget's script (apps/widget/dist) and the API documentation (Swagger UI's own files).
    const loader = await fetch(`${server.url}/widget/loader.js`);
    expect(loader.status).toBe(200);
    expect((await loader.text()).length).toBeGreaterThan(100);
    expect((await fetch(`${server.url}/api/docs/json`)).status).toBe(200);

    // The built command line (on the embedded database it asks the running server, which holds the data
    // directory), then password hashing (a native module) and the realtime socket.
    const email = `${unique("owner")}@example.com`;
    const cli = await runBuiltCli(
      [
        "create-owner",
        "--workspace",
        unique("ws"),
        "--name",
        "Owner",
        "--email",
        email,
        "--password",
        PASSWORD,
      ],
      { ...env, PORT: String(server.port) },
      120_000,
    );
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toContain(email);
    const owner = await new Client(server.url).signIn(email);
    const socket = await owner.socket(server.wsUrl);
    const hello = await socket.waitFor((f) => f.type === "hello");
    expect(hello).toMatchObject({ type: "hello", userId: owner.user!.id });
    socket.close();

    const exit = await server.kill("SIGTERM");
    expect(exit.code).toBe(0);
  }, 300_000);
});
