import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_SECRET } from "./harness";
import { freePort } from "./net";

export { freePort };

/**
 * Real server processes for process-level tests: `node --import tsx apps/server/src/main.ts` (or the CLI)
 * as a child, configured only through environment variables, on a free loopback port. With `built`, the
 * bundle `npm run build` makes (`apps/server/dist/main.mjs`) under plain `node` instead.
 */

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const MAIN = "apps/server/src/main.ts";
const CLI = "apps/server/src/cli.ts";
/** The built server (`npm run build`), run as production runs it: plain node, no TypeScript loader. */
export const BUILT_MAIN = "apps/server/dist/main.mjs";
const BUILT_CLI = "apps/server/dist/cli.mjs";
const FROM_SOURCE = ["--import", "tsx"];

/** Every variable the configuration reads: the test runner's own values must not leak into a child. */
const CONFIG_VARS = [
  "NODE_ENV",
  "PORT",
  "HOST",
  "PUBLIC_URL",
  "DATA_DIR",
  "DATABASE_URL",
  "DATABASE_POOL_SIZE",
  "SECRET_KEY",
  "EVENT_BUS",
  "ROLES",
  "INGEST_QUEUE_LIMIT",
  "METRICS_TOKEN",
  "METRICS_PORT",
  "METRICS_HOST",
  "LOG_LEVEL",
  "SESSION_TTL_HOURS",
  "SIGNIN_RATE_LIMIT",
  "REDIS_URL",
  "TRUST_PROXY",
  "JOB_POLL_MS",
  "OUTBOUND_TIMEOUT_MS",
  "EGRESS_ALLOW",
  "OUTBOUND_CA_FILE",
  "NODE_OPTIONS",
];

/** The child's environment: the runner's (PATH, HOME, ...) without configuration, plus `env`. */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const k of CONFIG_VARS) delete out[k];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const children = new Set<ChildProcess>();
// A runner that dies must not leave servers holding ports, data directories or database connections.
process.once("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

const MAX_OUTPUT = 1_000_000;

class Output {
  private text = "";
  append(chunk: Buffer) {
    if (this.text.length < MAX_OUTPUT) this.text += chunk.toString("utf8");
  }
  toString() {
    return this.text;
  }
}

function startNode(script: string, args: string[], env: NodeJS.ProcessEnv, nodeArgs = FROM_SOURCE) {
  const proc = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  const stdout = new Output();
  const stderr = new Output();
  proc.stdout!.on("data", (c: Buffer) => stdout.append(c));
  proc.stderr!.on("data", (c: Buffer) => stderr.append(c));
  const exited = new Promise<Exit>((resolve) => {
    proc.once("exit", (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    });
  });
  return { proc, stdout, stderr, exited };
}

export interface RunResult extends Exit {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a script of the server package to its end (killing it after `timeoutMs`). */
export async function runNode(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
  nodeArgs = FROM_SOURCE,
): Promise<RunResult> {
  const started = performance.now();
  const p = startNode(script, args, childEnv(env), nodeArgs);
  const timer = setTimeout(() => p.proc.kill("SIGKILL"), timeoutMs);
  const exit = await p.exited;
  clearTimeout(timer);
  return {
    ...exit,
    stdout: p.stdout.toString(),
    stderr: p.stderr.toString(),
    ms: performance.now() - started,
  };
}

/** `npm run parley -- <args>` with the given configuration. */
export const runCli = (args: string[], env: Record<string, string | undefined>, timeoutMs?: number) =>
  runNode(CLI, args, env, timeoutMs);

/** The built command line (`node apps/server/dist/cli.mjs <args>`), as production runs it. */
export const runBuiltCli = (args: string[], env: Record<string, string | undefined>, timeoutMs?: number) =>
  runNode(BUILT_CLI, args, env, timeoutMs, ["--enable-source-maps"]);

/** Builds the server bundle when it is stale (as `npm start` does), under the build's own lock. */
export async function ensureServerBuilt(): Promise<void> {
  const r = await runNode("apps/server/scripts/ensure-build.mjs", [], {}, 300_000, []);
  if (r.code !== 0) throw new Error(`building the server failed:\n${r.stdout}${r.stderr}`);
}

/** `npm run parley -- <args>` left running: the test stops it (an interrupted command). */
export function startCli(args: string[], env: Record<string, string | undefined>) {
  return startNode(CLI, args, childEnv(env));
}

/** Runs the server's entry point and waits for it to end (for processes expected not to start). */
export const runServerToExit = (env: Record<string, string | undefined>, timeoutMs?: number) =>
  runNode(MAIN, [], env, timeoutMs);

/** The configuration every spawned server gets unless a test overrides it. */
export const SERVER_DEFAULTS = {
  NODE_ENV: "production",
  HOST: "127.0.0.1",
  SECRET_KEY: TEST_SECRET,
  LOG_LEVEL: "info",
  JOB_POLL_MS: "200",
  // Fake providers and receivers listen on 127.0.0.1.
  EGRESS_ALLOW: "127.0.0.1/32",
};

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  readonly env: NodeJS.ProcessEnv;
  /** Milliseconds from spawn until /api/health answered 200. */
  readonly readyMs: number;
  readonly exited: Promise<Exit>;
  /** Whether the process has exited. */
  readonly dead: boolean;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (output may trail the health check a little). */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals, timeoutMs?: number): Promise<Exit & { ms: number }>;
}

/**
 * Spawns the server on a free port and resolves once GET /api/health answers 200. Rejects (with the
 * child's output) if it exits or is not ready within `readyTimeoutMs`.
 */
export async function spawnServer(
  env: Record<string, string | undefined>,
  opts: { readyTimeoutMs?: number; built?: boolean } = {},
): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await spawnOnce(port, env, opts.readyTimeoutMs ?? 40_000, opts.built ?? false);
    } catch (err) {
      // Another process took the port between freePort() and listen(): try another one.
      if (attempt < 3 && err instanceof Error && err.message.includes("EADDRINUSE")) continue;
      throw err;
    }
  }
}

async function spawnOnce(
  port: number,
  env: Record<string, string | undefined>,
  readyTimeoutMs: number,
  built: boolean,
): Promise<ServerProcess> {
  const fullEnv = childEnv({ ...SERVER_DEFAULTS, ...env, PORT: String(port) });
  const url = `http://${fullEnv.HOST}:${port}`;
  const started = performance.now();
  const p = built
    ? startNode(BUILT_MAIN, [], fullEnv, ["--enable-source-maps"])
    : startNode(MAIN, [], fullEnv);
  let dead = false;
  void p.exited.then(() => {
    dead = true;
  });
  const describe = () => `\n--- stdout ---\n${p.stdout}\n--- stderr ---\n${p.stderr}`;

  const deadline = started + readyTimeoutMs;
  for (;;) {
    if (dead) {
      const exit = await p.exited;
      throw new Error(`the server exited before it was ready (${JSON.stringify(exit)})${describe()}`);
    }
    if (performance.now() > deadline) {
      p.proc.kill("SIGKILL");
      await p.exited;
      throw new Error(`the server was not ready within ${readyTimeoutMs} ms${describe()}`);
    }
    const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const readyMs = performance.now() - started;

  return {
    pid: p.proc.pid!,
    port,
    url,
    wsUrl: url.replace(/^http/, "ws"),
    env: fullEnv,
    readyMs,
    exited: p.exited,
    get dead() {
      return dead;
    },
    stdout: () => p.stdout.toString(),
    stderr: () => p.stderr.toString(),
    async waitForStdout(pattern, timeoutMs = 5_000) {
      const until = performance.now() + timeoutMs;
      for (;;) {
        const m = p.stdout.toString().match(pattern);
        if (m) return m;
        if (performance.now() > until || dead)
          throw new Error(`stdout did not match ${pattern} within ${timeoutMs} ms${describe()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill(signal, timeoutMs = 15_000) {
      const t0 = performance.now();
      if (!dead) p.proc.kill(signal);
      const timer = setTimeout(() => p.proc.kill("SIGKILL"), timeoutMs);
      const exit = await p.exited;
      clearTimeout(timer);
      return { ...exit, ms: performance.now() - t0 };
    },
  };
}

/** SIGKILLs every child still running (an afterAll safety net). */
export async function killAllChildren(): Promise<void> {
  const pending = [...children].map(
    (c) =>
      new Promise<void>((resolve) =>
        c.exitCode !== null || c.signalCode ? resolve() : c.once("exit", () => resolve()),
      ),
  );
  for (const c of children) c.kill("SIGKILL");
  await Promise.all(pending);
}
