import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./net";

/**
 * A real Redis server for the tests of the Redis limits: `redis-server` (or `valkey-server`, its open-source
 * continuation) from `REDIS_SERVER_BIN` or the PATH, started on a free loopback port with nothing saved to
 * disk. `stop()` kills it as a crash would (SIGKILL); `start()` brings it back on the same port, empty.
 * Without a server the tests fail, saying how to get one: they do not skip.
 */

const CANDIDATES = ["redis-server", "valkey-server"];
const SYSTEM_DIRS = ["/usr/bin", "/usr/local/bin", "/usr/sbin"];

/** Whether a Redis server can be found (the Redis limit tests run only then). */
export function redisInstalled(): boolean {
  try {
    findRedisServer();
    return true;
  } catch {
    return false;
  }
}

export function findRedisServer(): string {
  const given = process.env.REDIS_SERVER_BIN;
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`REDIS_SERVER_BIN=${given}: no such file`);
    return given;
  }
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), ...SYSTEM_DIRS];
  for (const name of CANDIDATES)
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {}
    }
  throw new Error(
    "The Redis limit tests need a real Redis server and found none: install one (Debian: `apt-get install " +
      "redis-server`, which .ci/run does) or set REDIS_SERVER_BIN to a redis-server or valkey-server binary.",
  );
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly version: string;
  /** Kills the server (SIGKILL, as a crash) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** A client of its own (closed with the server). */
  client(): Redis;
  close(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const bin = findRedisServer();
  const version = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-redis-"));
  let proc: ChildProcess | null = null;
  const clients: Redis[] = [];

  const start = async () => {
    const child = spawn(
      bin,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    proc = child;
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      if (out.length < 100_000) out += c.toString("utf8");
    });
    child.stderr!.on("data", (c: Buffer) => {
      if (out.length < 100_000) out += c.toString("utf8");
    });
    const deadline = performance.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${bin} exited at start:\n${out}`);
      if (/Ready to accept connections/i.test(out)) return;
      if (performance.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`${bin} was not ready within 15 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const stop = async () => {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  };

  await start();
  process.once("exit", () => proc?.kill("SIGKILL"));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    version,
    stop,
    start,
    client() {
      const c = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1 });
      c.on("error", () => {});
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.disconnect();
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
