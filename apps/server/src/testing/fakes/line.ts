import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback stand-in for the LINE Messaging API (CHANNELS.md §8.1, §10.8), on two ports like LINE's two hosts:
 * `url` for api.line.me and `dataUrl` for api-data.line.me (message content only).
 *
 * API side: every call needs `Authorization: Bearer <channel access token>` (401 `{message}` otherwise).
 * `PUT /v2/bot/channel/webhook/endpoint` stores the webhook; `POST /v2/bot/message/reply` takes a reply
 * token the fake issued, once, within a minute of its event (400 "Invalid reply token" otherwise);
 * `POST /v2/bot/message/push` takes `X-Line-Retry-Key` and answers a key it already accepted with 409 and the
 * first answer's `sentMessages`; a channel's monthly quota refuses pushes with 429 "You have reached your
 * monthly limit."; both check 1–5 messages and 5000 characters of text. `GET /v2/bot/profile/<userId>` and
 * `GET <dataUrl>/v2/bot/message/<id>/content` answer what the test added. Errors are LINE's `{message,
 * details}`; the next calls' answers can be injected.
 *
 * Driver side: `push()` posts a webhook signed with `X-Line-Signature` = base64 HMAC-SHA256(channel secret,
 * raw body); `message()`, `follow()`, `unfollow()` build events with fresh reply tokens and event ids.
 */

export interface LineRecorded {
  method: string;
  path: string;
  host: "api" | "data";
  token: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: any;
  status: number;
  answer: any;
}

interface Channel {
  token: string;
  secret: string;
  webhookUrl: string | null;
  /** Push messages left this month (null: no limit). */
  quota: number | null;
}

type Injected = {
  path: string;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The call is carried out (the message is sent) and only its answer is replaced: a lost answer. */
  afterAccept?: boolean;
};

export function signLine(secret: string, raw: string | Buffer): string {
  return crypto.createHmac("sha256", secret).update(raw).digest("base64");
}

export async function startLineFake(opts: { now?: () => Date } = {}) {
  const now = () => (opts.now ? opts.now() : new Date()).getTime();
  const channels = new Map<string, Channel>();
  const requests: LineRecorded[] = [];
  /** Reply tokens issued with events: when, to whom, whether used. */
  const replyTokens = new Map<string, { token: string; at: number; used: boolean }>();
  const retryKeys = new Map<string, unknown>();
  const profiles = new Map<string, { displayName: string; pictureUrl?: string }>();
  const contents = new Map<string, { bytes: Buffer; mimeType: string }>();
  const injected: Injected[] = [];
  let nextId = 500_000_000_000_000n;

  const byToken = (auth: string | undefined) => {
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    return { token, channel: token ? channels.get(token) : undefined };
  };
  const error = (message: string, details?: { message: string; property: string }[]) => ({
    message,
    ...(details ? { details } : {}),
  });

  /** Checks the messages of a reply or push like LINE: 1–5 objects, text up to 5000 characters. */
  function badMessages(messages: unknown): unknown {
    if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5)
      return error("The request body has 1 error(s)", [
        { message: "Size must be between 1 and 5", property: "messages" },
      ]);
    for (const [i, m] of messages.entries()) {
      if (m?.type === "text" && (typeof m.text !== "string" || m.text.length > 5000))
        return error("The request body has 1 error(s)", [
          { message: "Length must be between 0 and 5000", property: `messages[${i}].text` },
        ]);
      if (m?.type === "image" && !(m.originalContentUrl && m.previewImageUrl))
        return error("The request body has 1 error(s)", [
          { message: "Must not be null", property: `messages[${i}].originalContentUrl` },
        ]);
    }
    return null;
  }
  const sentMessages = (messages: unknown[]) =>
    messages.map(() => ({ id: String(nextId++), quoteToken: crypto.randomBytes(8).toString("hex") }));

  function api(
    method: string,
    path: string,
    ch: Channel | undefined,
    body: any,
    headers: http.IncomingHttpHeaders,
  ) {
    if (!ch)
      return {
        status: 401,
        body: error(
          "Authentication failed. Confirm that the access token in the authorization header is valid.",
        ),
      };
    if (method === "PUT" && path === "/v2/bot/channel/webhook/endpoint") {
      if (typeof body?.endpoint !== "string" || !/^https?:\/\//.test(body.endpoint))
        return { status: 400, body: error("Invalid webhook endpoint URL") };
      ch.webhookUrl = body.endpoint;
      return { status: 200, body: {} };
    }
    if (method === "POST" && path === "/v2/bot/message/reply") {
      const bad = badMessages(body?.messages);
      if (bad) return { status: 400, body: bad };
      const r = replyTokens.get(body?.replyToken);
      if (!r || r.token !== ch.token || r.used || now() - r.at > 60_000)
        return { status: 400, body: error("Invalid reply token") };
      r.used = true;
      return { status: 200, body: { sentMessages: sentMessages(body.messages) } };
    }
    if (method === "POST" && path === "/v2/bot/message/push") {
      const bad = badMessages(body?.messages);
      if (bad) return { status: 400, body: bad };
      if (typeof body?.to !== "string" || !body.to)
        return {
          status: 400,
          body: error("The request body has 1 error(s)", [{ message: "Must not be null", property: "to" }]),
        };
      const key = headers["x-line-retry-key"] as string | undefined;
      if (key && retryKeys.has(`${ch.token}|${key}`))
        return {
          status: 409,
          body: {
            message: "The retry key is already accepted",
            ...(retryKeys.get(`${ch.token}|${key}`) as object),
          },
          headers: { "x-line-accepted-request-id": `req-${key}` },
        };
      if (ch.quota !== null && ch.quota < body.messages.length)
        return { status: 429, body: error("You have reached your monthly limit.") };
      if (ch.quota !== null) ch.quota -= body.messages.length;
      const answer = { sentMessages: sentMessages(body.messages) };
      if (key) retryKeys.set(`${ch.token}|${key}`, answer);
      return { status: 200, body: answer };
    }
    const profile = /^\/v2\/bot\/profile\/([^/]+)$/.exec(path);
    if (method === "GET" && profile) {
      const p = profiles.get(decodeURIComponent(profile[1]!));
      if (!p) return { status: 404, body: error("Not found") };
      return { status: 200, body: { userId: decodeURIComponent(profile[1]!), language: "en", ...p } };
    }
    return { status: 404, body: error("Not found") };
  }

  const handler = (host: "api" | "data") => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0]!;
      const method = req.method ?? "GET";
      let body: any = null;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : null;
      } catch {}
      const { token, channel } = byToken(req.headers.authorization);
      const entry: LineRecorded = {
        method,
        path,
        host,
        token,
        headers: req.headers,
        body,
        status: 0,
        answer: null,
      };
      requests.push(entry);
      const content = /^\/v2\/bot\/message\/([^/]+)\/content$/.exec(path);
      if (host === "data") {
        const c = content && channel ? contents.get(decodeURIComponent(content[1]!)) : undefined;
        entry.status = !channel ? 401 : c ? 200 : 404;
        if (!c || !channel) {
          res.writeHead(entry.status, { "content-type": "application/json" });
          res.end(JSON.stringify(error(channel ? "Not found" : "Authentication failed")));
          return;
        }
        res.writeHead(200, { "content-type": c.mimeType, "content-length": String(c.bytes.length) });
        res.end(c.bytes);
        return;
      }
      const i = injected.findIndex((x) => x.path === path);
      const inject = i >= 0 ? injected.splice(i, 1)[0]! : undefined;
      const done = inject && !inject.afterAccept ? null : api(method, path, channel, body, req.headers);
      const out = inject ?? done!;
      entry.status = out.status;
      entry.answer = out.body;
      res.writeHead(out.status, {
        "content-type": "application/json",
        "x-line-request-id": crypto.randomUUID(),
        ...(out as { headers?: Record<string, string> }).headers,
      });
      res.end(JSON.stringify(out.body));
    });
  };
  const listen = async (h: http.RequestListener) => {
    const s = http.createServer(h);
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    return { s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
  };
  const apiServer = await listen(handler("api"));
  const dataServer = await listen(handler("data"));

  const issueToken = (ch: Channel) => {
    const token = crypto.randomBytes(16).toString("hex");
    replyTokens.set(token, { token: ch.token, at: now(), used: false });
    return token;
  };
  const event = (
    ch: Channel,
    userId: string,
    type: string,
    extra: Record<string, unknown> = {},
  ): Record<string, any> => ({
    type,
    mode: "active",
    timestamp: now(),
    source: { type: "user", userId },
    webhookEventId: `01H${crypto.randomBytes(10).toString("hex").toUpperCase()}`,
    deliveryContext: { isRedelivery: false },
    ...(type !== "unfollow" ? { replyToken: issueToken(ch) } : {}),
    ...extra,
  });
  const channelOf = (token: string) => {
    const ch = channels.get(token);
    if (!ch) throw new Error("unknown LINE channel");
    return ch;
  };

  return {
    url: apiServer.url,
    dataUrl: dataServer.url,
    requests,
    /** A channel LINE knows: its access token is accepted, its secret signs webhooks. */
    addChannel(token: string, secret: string) {
      channels.set(token, { token, secret, webhookUrl: null, quota: null });
    },
    channel: (token: string) => channels.get(token),
    /** Push messages the channel may still send this month. */
    setQuota(token: string, quota: number | null) {
      channelOf(token).quota = quota;
    },
    addProfile(userId: string, p: { displayName: string; pictureUrl?: string }) {
      profiles.set(userId, p);
    },
    addContent(messageId: string, bytes: Buffer, mimeType: string) {
      contents.set(messageId, { bytes, mimeType });
    },
    /** The next call to `path` answers this instead (in order of injection). */
    failNext(
      path: string,
      status: number,
      body: unknown = error("Internal server error"),
      headers?: Record<string, string>,
    ) {
      injected.push({ path, status, body, ...(headers ? { headers } : {}) });
    },
    /** The next call to `path` is carried out, but answered 500 as if the answer were lost on the way. */
    loseNextAnswer(path: string) {
      injected.push({ path, status: 500, body: error("Internal server error"), afterAccept: true });
    },
    /** The reply and push calls made with a channel's token. */
    sends: (token: string) =>
      requests.filter(
        (r) => r.token === token && (r.path === "/v2/bot/message/reply" || r.path === "/v2/bot/message/push"),
      ),
    nextMessageId: () => String(nextId++),
    /** A `message` event from a user, with a fresh reply token. */
    message: (token: string, userId: string, message: Record<string, unknown>) =>
      event(channelOf(token), userId, "message", {
        message: { id: String(nextId++), quoteToken: "q", ...message },
      }),
    follow: (token: string, userId: string) =>
      event(channelOf(token), userId, "follow", { follow: { isUnblocked: false } }),
    unfollow: (token: string, userId: string) => event(channelOf(token), userId, "unfollow"),
    /** Posts events to the channel's webhook, signed over the exact bytes (or with the given signature). */
    async push(token: string, events: unknown[], o: { raw?: string; signature?: string } = {}) {
      const ch = channelOf(token);
      if (!ch.webhookUrl) throw new Error("the channel has no webhook set");
      const raw = o.raw ?? JSON.stringify({ destination: "Uxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", events });
      const res = await fetch(ch.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-line-signature": o.signature ?? signLine(ch.secret, raw),
        },
        body: raw,
      });
      const text = await res.text();
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, body };
    },
    close: async () => {
      await new Promise<void>((resolve) => apiServer.s.close(() => resolve()));
      await new Promise<void>((resolve) => dataServer.s.close(() => resolve()));
    },
  };
}

export type LineFake = Awaited<ReturnType<typeof startLineFake>>;
