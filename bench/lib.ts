import { type ChildProcess, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What the benchmark scripts share: server processes, HTTP requests, and a signed-in owner with a connection. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Runs a TypeScript entry point of the repository; BENCH_SERVER_NODE_ARGS adds node flags (e.g. --cpu-prof),
 * BENCH_SERVER_STDOUT names a file the process's standard output is appended to (its log, and what flags
 * such as --trace-gc print); without it the output is dropped.
 */
export function startProcess(args: string[], env: Record<string, string>): ChildProcess {
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const stdout = process.env.BENCH_SERVER_STDOUT
    ? fs.openSync(process.env.BENCH_SERVER_STDOUT, "a")
    : "ignore";
  const child = spawn(process.execPath, [...extra, "--import", "tsx", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", stdout, "pipe"],
  });
  if (typeof stdout === "number") fs.closeSync(stdout);
  child.stderr!.on("data", (d) => process.stderr.write(`[server] ${d}`));
  return child;
}

/** SIGTERM, then SIGKILL if the process has not exited within 15 s. */
export async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** The password of every user the benchmarks create. */
export const PASSWORD = "bench-password-0123";
const SECRET_KEY = crypto.randomBytes(32).toString("hex");

export interface HttpResult {
  status: number;
  body: string;
  /** The session cookie the response set, if any. */
  cookie?: string;
}

/** One HTTP request to a local server; a JSON body is sent as it is given. */
export function request(
  port: number,
  method: string,
  urlPath: string,
  body?: string,
  headers: Record<string, string> = {},
  agent?: http.Agent,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: urlPath,
        method,
        ...(agent ? { agent } : {}),
        headers: {
          ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const setCookie = res.headers["set-cookie"]?.[0];
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            ...(setCookie ? { cookie: setCookie.split(";")[0] } : {}),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The environment of a Parley server process: production mode, its own data directory, the given database. */
export function serverEnv(
  port: number,
  dataDir: string,
  kind: "embedded" | "postgres",
): Record<string, string> {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    SECRET_KEY,
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
    SIGNIN_RATE_LIMIT: "1000",
    // The benchmarks' receivers and fake providers listen on 127.0.0.1.
    EGRESS_ALLOW: "127.0.0.1/32",
    ...(kind === "postgres"
      ? { DATABASE_URL: process.env.DATABASE_URL!, EVENT_BUS: "memory" }
      : { DATABASE_URL: "" }),
  };
}

/**
 * A new workspace owner, by email: the first-run setup on a fresh database, otherwise the CLI (a shared
 * PostgreSQL database already has a workspace).
 */
export async function createOwner(port: number, env: Record<string, string>, workspaceName: string) {
  const email = `owner-${crypto.randomBytes(4).toString("hex")}@bench.example`;
  const setup = await request(
    port,
    "POST",
    "/api/setup",
    JSON.stringify({ workspaceName, name: "Owner", email, password: PASSWORD }),
  );
  if (setup.status !== 201) {
    const cli = startProcess(
      ["apps/server/src/cli.ts", "create-owner", "--workspace", workspaceName, "--name", "Owner"].concat([
        "--email",
        email,
        "--password",
        PASSWORD,
      ]),
      { ...env, PORT: String(await freePort()) },
    );
    await new Promise((r) => cli.on("exit", r));
  }
  return email;
}

export interface Session {
  cookie: string;
  csrf: string;
  userId: string;
  workspaceId: string;
}

export async function signIn(port: number, email: string, agent?: http.Agent): Promise<Session> {
  const r = await request(
    port,
    "POST",
    "/api/auth/sign-in",
    JSON.stringify({ email, password: PASSWORD }),
    {},
    agent,
  );
  if (r.status !== 200) throw new Error(`sign-in ${r.status} ${r.body}`);
  const me = JSON.parse(r.body) as { csrfToken: string; user: { id: string }; workspace: { id: string } };
  return { cookie: r.cookie!, csrf: me.csrfToken, userId: me.user.id, workspaceId: me.workspace.id };
}

/** The headers of a signed-in request that changes something. */
export const authed = (s: Pick<Session, "cookie" | "csrf">) => ({ cookie: s.cookie, "x-csrf-token": s.csrf });

/** A new API channel connection: its id and the secret that signs its webhooks. */
export async function apiConnection(port: number, session: Session, name: string, agent?: http.Agent) {
  const r = await request(
    port,
    "POST",
    "/api/connections",
    // Replies go nowhere: a private address, which the egress guard refuses at once.
    JSON.stringify({ type: "api", name, settings: { outboundUrl: "http://10.0.0.1/no-receiver" } }),
    authed(session),
    agent,
  );
  if (r.status !== 201) throw new Error(`connection ${r.status} ${r.body}`);
  const body = JSON.parse(r.body) as { connection: { id: string }; reveal: { secret: string } };
  return { id: body.connection.id, secret: body.reveal.secret };
}

/** Invites agents 1…count into the owner's workspace and accepts for them: their session cookies. */
export async function addAgents(
  port: number,
  owner: Session,
  ownerEmail: string,
  count: number,
  agent?: http.Agent,
) {
  const cookies: string[] = [];
  for (let i = 1; i <= count; i++) {
    const inv = JSON.parse(
      (
        await request(
          port,
          "POST",
          "/api/invitations",
          JSON.stringify({ email: `agent-${i}-${ownerEmail}`, role: "agent" }),
          authed(owner),
          agent,
        )
      ).body,
    );
    const accepted = await request(
      port,
      "POST",
      "/api/invitations/accept",
      JSON.stringify({ token: inv.acceptUrl.split("/").pop(), name: `Agent ${i}`, password: PASSWORD }),
      {},
      agent,
    );
    if (accepted.status !== 201) throw new Error(`accept ${accepted.status} ${accepted.body}`);
    cookies.push(accepted.cookie!);
  }
  return cookies;
}

/** A Parley server process on a fresh data directory, answering; `health` asks it again after a restart. */
export async function startServer(
  kind: "embedded" | "postgres",
  name: string,
  extraEnv: Record<string, string> = {},
) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `parley-bench-${name}`));
  const env = { ...serverEnv(port, dataDir, kind), ...extraEnv };
  const health = async () => (await request(port, "GET", "/api/health")).status === 200;
  const child = startProcess(["apps/server/src/main.ts"], env);
  try {
    // A loaded machine starts slowly: BENCH_START_SECONDS waits longer.
    await waitFor(health, "the Parley server", Number(process.env.BENCH_START_SECONDS ?? 60) * 1000);
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return { port, dataDir, env, health, child };
}
