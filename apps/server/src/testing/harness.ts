import type { AddressInfo } from "node:net";
import type { ServerFrame } from "@parley/protocol";
import type { Logger } from "pino";
import WebSocket from "ws";
import { signBody } from "../channels/api/adapter";
import type { MtprotoFactory } from "../channels/telegram-user/boundary";
import { loadConfig } from "../config";
import type { Db } from "../db/client";
import type { Clock } from "../lib/time";
import { hashPassword } from "../modules/auth/sessions";
import { setupWorkspace } from "../modules/auth/setup-workspace";
import { createServer, type Server } from "../server";
import { TEST_DATABASE_URL, TEST_DB } from "./db";

export const TEST_SECRET = "test-secret-key-0123456789abcdef0123456789abcdef";
export const PASSWORD = "correct horse battery staple";

export interface TestServer {
  server: Server;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** Starts a real server on a loopback port, on the given database. */
export async function startTestServer(
  db: Db,
  opts: { env?: Record<string, string>; clock?: Clock; logger?: Logger; mtproto?: MtprotoFactory } = {},
): Promise<TestServer> {
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    SECRET_KEY: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    JOB_POLL_MS: "200",
    SIGNIN_RATE_LIMIT: "5",
    // Fake providers and receivers listen on 127.0.0.1: let requests to supplied addresses reach them (and only
    // them). A test that wants the guard as in production passes EGRESS_ALLOW: "".
    EGRESS_ALLOW: "127.0.0.1/32",
    ...(TEST_DB === "postgres" ? { DATABASE_URL: TEST_DATABASE_URL } : {}),
    ...opts.env,
  });
  const server = await createServer(config, {
    db,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.mtproto ? { mtproto: opts.mtproto } : {}),
  });
  await server.listen();
  const port = (server.app.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  // Links and allowed origins follow the real port.
  (server.ctx.config as { publicUrl: string }).publicUrl = url;
  return { server, url, wsUrl: url.replace("http", "ws"), close: () => server.close() };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** An HTTP client holding one session cookie and its CSRF token, like a browser tab. */
export class Client {
  cookie: string | null = null;
  csrf: string | null = null;
  user: { id: string; email: string; role: string } | null = null;
  workspaceId: string | null = null;
  constructor(readonly base: string) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined && !h["content-type"]) h["content-type"] = "application/json";
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== "GET" && !("x-csrf-token" in h)) h["x-csrf-token"] = this.csrf;
    const res = await fetch(this.base + path, {
      method,
      headers: h,
      body:
        body === undefined
          ? undefined
          : typeof body === "string" || Buffer.isBuffer(body)
            ? body
            : JSON.stringify(body),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie?.startsWith("parley_session=")) this.cookie = setCookie.split(";")[0]!;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  get = <T = any>(path: string) => this.request<T>("GET", path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>("POST", path, body ?? {});
  put = <T = any>(path: string, body?: unknown) => this.request<T>("PUT", path, body ?? {});
  patch = <T = any>(path: string, body?: unknown) => this.request<T>("PATCH", path, body ?? {});
  delete = <T = any>(path: string) => this.request<T>("DELETE", path);

  async signIn(email: string, password = PASSWORD) {
    const r = await this.post("/api/auth/sign-in", { email, password });
    if (r.status !== 200) throw new Error(`sign-in failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrfToken;
    this.user = r.body.user;
    this.workspaceId = r.body.workspace.id;
    return this;
  }

  /** Opens the realtime socket with this session. */
  socket(wsBase: string, since?: number): Promise<SocketClient> {
    return SocketClient.open(
      `${wsBase}/api/realtime${since !== undefined ? `?since=${since}` : ""}`,
      this.cookie!,
    );
  }
}

let seq = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++seq}`;

/** A fresh workspace with a signed-in owner. */
export async function newWorkspace(t: TestServer, name = unique("ws")) {
  const email = `${unique("owner")}@example.com`;
  await setupWorkspace(
    t.server.ctx,
    { workspaceName: name, name: "Owner", email, password: PASSWORD },
    { onlyIfEmpty: false },
  );
  const owner = await new Client(t.url).signIn(email);
  return { owner, workspaceId: owner.workspaceId! };
}

/** Adds a user with a role to the owner's workspace and signs them in. */
export async function addUser(
  t: TestServer,
  owner: Client,
  role: "admin" | "supervisor" | "agent",
  name = unique(role),
) {
  const email = `${name}@example.com`;
  const [row] = await t.server.ctx.db.query<{ id: string }>(
    "insert into users (workspace_id, email, name, role, password_hash) values ($1, $2, $3, $4, $5) returning id",
    [owner.workspaceId, email, name, role, await passwordHash()],
  );
  const client = await new Client(t.url).signIn(email);
  return { client, id: row!.id };
}

let cachedHash: Promise<string> | null = null;
const passwordHash = () => {
  cachedHash ??= hashPassword(PASSWORD);
  return cachedHash;
};

/**
 * The outbound URL of an API connection whose replies need not arrive anywhere: a private address, which the
 * egress guard refuses (only 127.0.0.1 is allowed in tests), so a send fails at once with the reason.
 */
export const NO_RECEIVER = "http://10.0.0.1/no-receiver";

/** Creates an API channel connection through the API and returns how to post to its webhook. */
export async function apiConnection(t: TestServer, owner: Client, outboundUrl: string = NO_RECEIVER) {
  const r = await owner.post("/api/connections", {
    type: "api",
    name: unique("api"),
    settings: { outboundUrl },
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const { connection, reveal } = r.body;
  return {
    id: connection.id as string,
    secret: reveal.secret as string,
    webhookUrl: reveal.webhookUrl as string,
    /** Posts a signed webhook body (the raw string is what gets signed). */
    async post(payload: unknown, opts: { secret?: string; raw?: string } = {}) {
      const raw = opts.raw ?? JSON.stringify(payload);
      const res = await fetch(`${t.url}/api/webhooks/api/${connection.id}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-parley-signature": signBody(opts.secret ?? reveal.secret, raw),
        },
        body: raw,
      });
      return { status: res.status, body: (await res.json()) as any };
    },
  };
}

/** An inbound API-channel message from a contact. */
export function inbound(
  contactId: string,
  text: string,
  id = unique("msg"),
  extra: Record<string, unknown> = {},
) {
  return { type: "message", id, contact: { id: contactId, name: `Contact ${contactId}` }, text, ...extra };
}

/** The domain events a frame carries (one, several committed together, or none). */
const eventsOf = (f: ServerFrame): any[] =>
  f.type === "event" ? [f.event] : f.type === "events" ? f.events : [];

/** A realtime socket that records every frame and lets tests wait for one. */
export class SocketClient {
  readonly frames: ServerFrame[] = [];
  private waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  /**
   * Opens the socket and resolves once its first frame (`hello`, or a replay's) has come: the server has then
   * attached it, and what commits from now on reaches it. Resolving on the upgrade alone let a test's next
   * action commit, or a colleague's typing pass, before the socket was attached.
   */
  static open(url: string, cookie: string): Promise<SocketClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { cookie } });
      const client = new SocketClient(ws);
      ws.once("message", () => resolve(client));
      ws.once("close", (code, reason) =>
        reject(new Error(`socket closed before its first frame: ${code} ${reason}`)),
      );
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`socket refused: ${res.statusCode}`)));
    });
  }

  events() {
    return this.frames.flatMap(eventsOf);
  }

  waitFor(pred: (f: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    const found = this.frames.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => (f.type === "event" ? f.event.type : f.type)))}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  waitForEvent(type: string, pred: (e: any) => boolean = () => true, timeoutMs?: number) {
    const match = (e: any) => e.type === type && pred(e);
    return this.waitFor((f) => eventsOf(f).some(match), timeoutMs).then((f) => eventsOf(f).find(match));
  }

  close() {
    this.ws.close();
  }
}

export function lastSeq(s: SocketClient): number {
  const events = s.events();
  return events.length ? events.at(-1)!.seq : 0;
}
