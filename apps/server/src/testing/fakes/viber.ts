import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback stand-in for the Viber REST Bot API (CHANNELS.md §3, §10.4).
 *
 * API side: `POST /pa/<method>` with `X-Viber-Auth-Token`, always HTTP 200 with a `status` field (unless an
 * HTTP failure is injected). `set_webhook` stores the URL and at once probes it with a signed
 * `event:"webhook"` callback, failing with status 1 unless it gets 200. `send_message` answers a 64-bit
 * `message_token` above 2^53 written as a bare JSON integer, like Viber. Media is served at `/media/<name>`.
 *
 * Driver side: `push()` posts callbacks to the registered webhook signed with
 * `X-Viber-Content-Signature` = hex HMAC-SHA256(token, raw body). Values given as `bigint` are written as bare
 * integers, so tokens above 2^53 reach Parley exactly as Viber would send them.
 */

export interface ViberRecorded {
  method: string;
  path: string;
  authToken: string | undefined;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  /** The raw JSON the fake answered (64-bit tokens as bare integers). */
  answer?: string;
}

interface Bot {
  token: string;
  webhookUrl: string | null;
  eventTypes: string[];
  subscribed: Set<string>;
  /** Messages sent to a user since their last message (Viber allows 100 an hour without a reply). */
  unanswered: Map<string, number>;
  /** The time of the last callback that changed a user's subscription. */
  changedAt: Map<string, number>;
}

type Injected =
  | { kind: "status"; status: number; message: string }
  | { kind: "http"; code: number; body?: string; headers?: Record<string, string> };

const STATUS_NAMES: Record<number, string> = {
  1: "invalidUrl",
  2: "invalidAuthToken",
  3: "badData",
  5: "receiverNotRegistered",
  6: "receiverNotSubscribed",
  11: "receiverNoSuitableDevice",
  12: "tooManyRequests",
  23: "freeMessagesExceeded",
  24: "noBalance",
};

/** JSON with `bigint` values written as bare integers (as Viber writes its 64-bit tokens). */
export function viberStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `__bigint__${v}__` : v)).replace(
    /"__bigint__(-?\d+)__"/g,
    "$1",
  );
}

export function signViber(token: string, raw: string | Buffer): string {
  return crypto.createHmac("sha256", token).update(raw).digest("hex");
}

export async function startViberFake() {
  const bots = new Map<string, Bot>();
  const requests: ViberRecorded[] = [];
  const media = new Map<string, { bytes: Buffer; mimeType: string; expired: boolean }>();
  const injected: Injected[] = [];
  const probes: { status: number; body: string }[] = [];
  /** Welcome messages answered to `conversation_started`, checked as Viber checks a message. */
  const welcomes: { userId: string; body: any; accepted: boolean; problem: string | null }[] = [];
  /** Tokens above 2^53 whose neighbours round to the same double. */
  let nextToken = 5741311803571721087n;
  let url = "";

  const bot = (token: string | undefined) => (token ? bots.get(token) : undefined);

  async function post(target: string, token: string, raw: string, signature?: string) {
    const res = await fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-viber-content-signature": signature ?? signViber(token, raw),
      },
      body: raw,
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, body, raw: text };
  }

  async function handleApi(method: string, b: Bot | undefined, body: any, raw: string) {
    if (!b) return { status: 2, status_message: "invalidAuthToken" };
    switch (method) {
      case "set_webhook": {
        if (typeof body.url !== "string") return { status: 4, status_message: "missingData" };
        if (body.url === "") {
          b.webhookUrl = null;
          return { status: 0, status_message: "ok" };
        }
        // Viber calls the new webhook at once and refuses it unless it answers 200.
        const probe = viberStringify({
          event: "webhook",
          timestamp: Date.now(),
          chat_hostname: "SN-CHAT-01_",
          message_token: nextToken++,
        });
        let answered: { status: number; raw: string };
        try {
          answered = await post(body.url, b.token, probe);
        } catch (err) {
          answered = { status: 0, raw: (err as Error).message };
        }
        probes.push({ status: answered.status, body: answered.raw });
        if (answered.status !== 200)
          return {
            status: 1,
            status_message: `Failed to set webhook: the callback answered ${answered.status}`,
          };
        b.webhookUrl = body.url;
        b.eventTypes = Array.isArray(body.event_types) ? body.event_types : [];
        return {
          status: 0,
          status_message: "ok",
          event_types: ["subscribed", "unsubscribed", "conversation_started", "message", ...b.eventTypes],
        };
      }
      case "send_message": {
        if (raw.length > 30 * 1024) return { status: 3, status_message: "badData: request too large" };
        if (!body.receiver || !body.type || !body.sender?.name)
          return { status: 4, status_message: "missingData" };
        if (body.type === "text" && (typeof body.text !== "string" || body.text.length > 7000))
          return { status: 3, status_message: "badData: text" };
        if (!b.subscribed.has(body.receiver)) return { status: 6, status_message: "receiverNotSubscribed" };
        const count = (b.unanswered.get(body.receiver) ?? 0) + 1;
        if (count > 100) return { status: 12, status_message: "Too many requests" };
        b.unanswered.set(body.receiver, count);
        return {
          status: 0,
          status_message: "ok",
          message_token: nextToken++,
          chat_hostname: "SN-CHAT-01_",
          billing_status: 1,
        };
      }
      case "get_account_info":
        return {
          status: 0,
          status_message: "ok",
          id: "pa:75346594275468546724",
          name: "Fake bot",
          uri: "fakebot",
          webhook: b.webhookUrl ?? "",
          event_types: b.eventTypes,
          subscribers_count: b.subscribed.size,
        };
      case "get_user_details":
        return {
          status: 0,
          status_message: "ok",
          message_token: nextToken++,
          user: { id: body.id, name: "User", language: "en", country: "UK", api_version: 10 },
        };
      case "get_online":
        return {
          status: 0,
          status_message: "ok",
          users: (body.ids ?? []).map((id: string) => ({
            id,
            online_status: 0,
            online_status_message: "online",
          })),
        };
      default:
        return { status: 3, status_message: `badData: unknown method ${method}` };
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const path = (req.url ?? "/").split("?")[0]!;
      if (req.method === "GET" && path.startsWith("/media/")) {
        const m = media.get(decodeURIComponent(path.slice("/media/".length)));
        if (!m || m.expired) {
          res.writeHead(m ? 403 : 404, { "content-type": "text/plain" });
          res.end("expired");
          return;
        }
        res.writeHead(200, { "content-type": m.mimeType, "content-length": String(m.bytes.length) });
        res.end(m.bytes);
        return;
      }
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: any = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {}
      const match = /^\/pa\/([a-z_]+)$/.exec(path);
      const token = req.headers["x-viber-auth-token"] as string | undefined;
      const method = match?.[1] ?? "";
      const entry: ViberRecorded = { method, path, authToken: token, headers: req.headers, raw, body };
      requests.push(entry);
      if (req.method !== "POST" || !match) {
        res.writeHead(404).end();
        return;
      }
      let out: unknown;
      const inject = method === "send_message" ? injected.shift() : undefined;
      if (inject?.kind === "http") {
        res.writeHead(inject.code, { "content-type": "application/json", ...inject.headers });
        res.end(inject.body ?? "");
        return;
      }
      if (inject?.kind === "status") out = { status: inject.status, status_message: inject.message };
      else out = await handleApi(method, bot(token), body ?? {}, raw);
      entry.answer = viberStringify(out);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(entry.answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    probes,
    /** A bot Viber knows: its token is accepted on the API side. */
    addBot(token: string) {
      const b: Bot = {
        token,
        webhookUrl: null,
        eventTypes: [],
        subscribed: new Set(),
        unanswered: new Map(),
        changedAt: new Map(),
      };
      bots.set(token, b);
      return b;
    },
    bot: (token: string) => bots.get(token),
    /** The send_message requests of one bot. */
    sent: (token: string) => requests.filter((r) => r.method === "send_message" && r.authToken === token),
    /** Serves bytes at `${url}/media/<name>` (expired: 403, like a dead media link). */
    addMedia(name: string, bytes: Buffer, mimeType: string, opts: { expired?: boolean } = {}) {
      media.set(name, { bytes, mimeType, expired: opts.expired ?? false });
      return `${url}/media/${encodeURIComponent(name)}`;
    },
    /** The next send_message calls answer this Viber status (HTTP 200), one per call, in order. */
    failNextSend(status: number, message = STATUS_NAMES[status] ?? "General error") {
      injected.push({ kind: "status", status, message });
    },
    /** The next send_message call answers with this HTTP status instead. */
    failNextSendHttp(code: number, headers?: Record<string, string>) {
      injected.push({ kind: "http", code, ...(headers ? { headers } : {}), body: "" });
    },
    /** Mints the next token the way send_message would (for tests that need a known one). */
    nextToken: () => nextToken++,
    /**
     * Pushes a callback to the bot's webhook, signed over the exact bytes. A `message` from a user subscribes
     * them and resets their unanswered counter; `unsubscribed` removes them.
     */
    async push(
      token: string,
      event: Record<string, unknown>,
      opts: { raw?: string; signature?: string; url?: string } = {},
    ) {
      const b = bots.get(token);
      const target = opts.url ?? b?.webhookUrl;
      if (!target) throw new Error("the bot has no webhook set");
      const raw =
        opts.raw ?? viberStringify({ timestamp: Date.now(), chat_hostname: "SN-CHAT-01_", ...event });
      const answer = await post(target, token, raw, opts.signature);
      if (b && answer.status === 200) {
        // A callback about a user changes their subscription only if it is newer than the last change (a
        // retried old callback describes the past).
        const at = typeof event.timestamp === "number" ? event.timestamp : Date.now();
        const newer = (id: string) => {
          if ((b.changedAt.get(id) ?? 0) > at) return false;
          b.changedAt.set(id, at);
          return true;
        };
        const sender = (event.sender as { id?: string } | undefined)?.id;
        if (event.event === "message" && sender) {
          if (newer(sender)) b.subscribed.add(sender);
          b.unanswered.delete(sender);
        }
        const subscriber = (event.user as { id: string } | undefined)?.id;
        if (event.event === "subscribed" && subscriber && newer(subscriber)) b.subscribed.add(subscriber);
        if (event.event === "unsubscribed" && newer(event.user_id as string))
          b.subscribed.delete(event.user_id as string);
        // The answer to conversation_started may be one welcome message (the user stays unsubscribed).
        const body = answer.body;
        if (event.event === "conversation_started" && body && typeof body === "object" && "type" in body) {
          const problem = !body.sender?.name
            ? "missingData: sender.name"
            : String(body.sender.name).length > 28
              ? "badData: sender.name is longer than 28 characters"
              : body.type === "text" &&
                  (typeof body.text !== "string" || !body.text || body.text.length > 7000)
                ? "badData: text"
                : body.type !== "text" && !body.media
                  ? "missingData: media"
                  : null;
          welcomes.push({
            userId: (event.user as { id: string }).id,
            body,
            accepted: problem === null,
            problem,
          });
        }
      }
      return answer;
    },
    welcomes,
    /** A user subscribed (pressed "subscribe" or answered the welcome message's keyboard). */
    subscribed: (userId: string, name = "Subscriber") => ({
      event: "subscribed",
      timestamp: Date.now(),
      user: {
        id: userId,
        name,
        avatar: "https://example.com/avatar.jpg",
        country: "UA",
        language: "uk",
        api_version: 10,
      },
      message_token: nextToken++,
    }),
    /** A user opened the chat with the bot (`subscribed`: whether they already are). */
    conversationStarted: (userId: string, o: { name?: string; subscribed?: boolean } = {}) => ({
      event: "conversation_started",
      timestamp: Date.now(),
      message_token: nextToken++,
      type: "open",
      context: "",
      user: {
        id: userId,
        name: o.name ?? "Visitor",
        avatar: "https://example.com/avatar.jpg",
        country: "UA",
        language: "uk",
        api_version: 10,
      },
      subscribed: o.subscribed ?? false,
    }),
    /** A user unsubscribed from the bot. */
    unsubscribed: (userId: string, at = Date.now()) => ({
      event: "unsubscribed",
      timestamp: at,
      user_id: userId,
      message_token: nextToken++,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type ViberFake = Awaited<ReturnType<typeof startViberFake>>;
