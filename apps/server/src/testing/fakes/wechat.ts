import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback stand-in for the WeChat Official Account API (CHANNELS.md §8.2, §10.9), written from WeChat's
 * documentation and independent of the adapter's code.
 *
 * API side: `GET /cgi-bin/token` issues a token valid 7200 s on the fake's clock (a newer one leaves the older
 * valid five more minutes; 40013 / 40125 for a wrong AppID or AppSecret); every other call checks
 * `access_token` (40001 unknown or revoked, 42001 expired). `POST /cgi-bin/message/custom/send` keeps
 * WeChat's window per follower — 48 hours after their last message (45015) and `limit` messages per
 * customer message (45047), reset when they write — and text up to 2048 bytes (45002); images by a media_id
 * uploaded with `POST /cgi-bin/media/upload` (multipart, field `media`), fetched back with
 * `GET /cgi-bin/media/get` (an unknown media_id: HTTP 200 with 40007 as JSON, typed application/json or
 * text/plain). Errors are HTTP 200 with `{errcode, errmsg}`, as WeChat answers.
 *
 * Driver side: `verifyUrl()` performs the echostr handshake; `push()` posts a message as XML signed in the
 * query string (SHA-1 of the sorted token, timestamp and nonce) or, in safe mode, encrypted into `<Encrypt>`
 * (AES-256-CBC, PKCS#7 to 32 bytes) with `msg_signature`.
 */

interface App {
  appId: string;
  secret: string;
  token: string;
  aesKey: string | null;
  /** Issued tokens and until when each works. */
  tokens: Map<string, number>;
  limit: number;
  /** Per follower: when they last wrote and how many messages were sent to them since. */
  window: Map<string, { at: number; sent: number }>;
}

export interface WechatRecorded {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  answer: any;
  appId: string | null;
}

const sha1 = (values: string[]) =>
  crypto
    .createHash("sha1")
    .update([...values].sort().join(""))
    .digest("hex");
const cdata = (v: string) => `<![CDATA[${v}]]>`;

/** WeChat's XML for a message: strings as CDATA, CreateTime and MsgId as bare numbers. */
export function wechatXml(fields: Record<string, string | number>): string {
  const inner = Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === "number" || k === "MsgId" ? v : cdata(v)}</${k}>`)
    .join("");
  return `<xml>${inner}</xml>`;
}

/** Safe mode's `<Encrypt>`: base64 AES-256-CBC of random16 + length (4 bytes, big-endian) + message + AppID. */
export function wechatEncrypt(aesKey: string, appId: string, xml: string): string {
  const key = Buffer.from(`${aesKey}=`, "base64");
  const msg = Buffer.from(xml, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  const plain = Buffer.concat([crypto.randomBytes(16), len, msg, Buffer.from(appId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = crypto.createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString("base64");
}

export async function startWechatFake(opts: { now?: () => Date } = {}) {
  const now = () => (opts.now ? opts.now() : new Date()).getTime();
  const apps = new Map<string, App>();
  const requests: WechatRecorded[] = [];
  const media = new Map<string, { bytes: Buffer; mimeType: string; name: string }>();
  const injected: { path: string; answer: unknown }[] = [];
  let msgId = 24_000_000_000_000_000n;
  /** media/get's errors come with HTTP 200 and this Content-Type (WeChat has used both). */
  let mediaErrorType = "application/json";

  const appOfToken = (token: string | undefined) => {
    for (const a of apps.values()) if (token && a.tokens.has(token)) return a;
    return null;
  };
  const err = (errcode: number, errmsg: string) => ({ errcode, errmsg });

  async function api(
    method: string,
    path: string,
    q: Record<string, string>,
    raw: Buffer,
    contentType: string,
  ) {
    if (path === "/cgi-bin/token") {
      const a = apps.get(q.appid ?? "");
      if (!a) return { app: null, answer: err(40013, "invalid appid") };
      if (q.secret !== a.secret) return { app: a, answer: err(40125, "invalid appsecret") };
      for (const [t, until] of a.tokens) a.tokens.set(t, Math.min(until, now() + 5 * 60_000));
      const token = crypto.randomBytes(24).toString("base64url");
      a.tokens.set(token, now() + 7200_000);
      return { app: a, answer: { access_token: token, expires_in: 7200 } };
    }
    const a = appOfToken(q.access_token);
    if (!a)
      return { app: null, answer: err(40001, "invalid credential, access_token is invalid or not latest") };
    if ((a.tokens.get(q.access_token!) ?? 0) <= now())
      return { app: a, answer: err(42001, "access_token expired") };
    if (method === "POST" && path === "/cgi-bin/media/upload") {
      const form = await new Response(raw, { headers: { "content-type": contentType } })
        .formData()
        .catch(() => null);
      const file = form?.get("media");
      if (!(file instanceof Blob) || q.type !== "image")
        return { app: a, answer: err(41005, "media data missing") };
      const id = crypto.randomBytes(16).toString("hex");
      media.set(id, {
        bytes: Buffer.from(await file.arrayBuffer()),
        mimeType: file.type,
        name: (file as File).name,
      });
      return { app: a, answer: { type: "image", media_id: id, created_at: Math.floor(now() / 1000) } };
    }
    if (method === "POST" && path === "/cgi-bin/message/custom/send") {
      let body: any = null;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return { app: a, answer: err(47001, "data format error") };
      }
      const w = a.window.get(body?.touser);
      if (!w) return { app: a, answer: err(40003, "invalid openid") };
      if (now() - w.at > 48 * 3600_000)
        return { app: a, answer: err(45015, "response out of time limit or subscription is canceled") };
      if (w.sent >= a.limit) return { app: a, answer: err(45047, "out of response count limit") };
      if (body.msgtype === "text") {
        if (Buffer.byteLength(body.text?.content ?? "") > 2048)
          return { app: a, answer: err(45002, "content size out of limit") };
      } else if (body.msgtype === "image") {
        if (!media.has(body.image?.media_id)) return { app: a, answer: err(40007, "invalid media_id") };
      } else return { app: a, answer: err(40008, "invalid message type") };
      w.sent++;
      return { app: a, answer: err(0, "ok") };
    }
    return { app: a, answer: err(48001, "api unauthorized") };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const q = Object.fromEntries(url.searchParams);
      const raw = Buffer.concat(chunks);
      const entry: WechatRecorded = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: q,
        body: null,
        answer: null,
        appId: null,
      };
      try {
        entry.body = JSON.parse(raw.toString("utf8"));
      } catch {}
      requests.push(entry);
      if (url.pathname === "/cgi-bin/media/get") {
        const a = appOfToken(q.access_token);
        const m = media.get(q.media_id ?? "");
        if (!a || (a.tokens.get(q.access_token!) ?? 0) <= now() || !m) {
          entry.answer = a ? err(40007, "invalid media_id") : err(40001, "invalid credential");
          res.writeHead(200, { "content-type": mediaErrorType }).end(JSON.stringify(entry.answer));
          return;
        }
        res.writeHead(200, {
          "content-type": m.mimeType,
          "content-disposition": `attachment; filename="${m.name}"`,
          "content-length": String(m.bytes.length),
        });
        res.end(m.bytes);
        return;
      }
      const i = injected.findIndex((x) => x.path === url.pathname);
      let answer: unknown;
      if (i >= 0) answer = injected.splice(i, 1)[0]!.answer;
      else {
        const r = await api(entry.method, url.pathname, q, raw, String(req.headers["content-type"] ?? ""));
        entry.appId = r.app?.appId ?? null;
        answer = r.answer;
      }
      entry.answer = answer;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const appOf = (appId: string) => {
    const a = apps.get(appId);
    if (!a) throw new Error("unknown WeChat app");
    return a;
  };
  const signedQuery = (a: App, extra: Record<string, string> = {}): Record<string, string> => {
    const timestamp = String(Math.floor(now() / 1000));
    const nonce = String(crypto.randomInt(1e9));
    return { timestamp, nonce, signature: sha1([a.token, timestamp, nonce]), ...extra };
  };

  return {
    url,
    requests,
    media,
    addApp(o: { appId: string; secret: string; token: string; aesKey?: string; limit?: number }) {
      apps.set(o.appId, {
        ...o,
        aesKey: o.aesKey ?? null,
        tokens: new Map(),
        limit: o.limit ?? 20,
        window: new Map(),
      });
    },
    /** WeChat revokes every token of the app (an access token refreshed elsewhere): calls get 40001. */
    revokeTokens(appId: string) {
      appOf(appId).tokens.clear();
    },
    /** Token requests per app. */
    tokenRequests: (appId: string) =>
      requests.filter((r) => r.path === "/cgi-bin/token" && r.query.appid === appId),
    /** The customer-service sends of an app. */
    sends: (appId: string) =>
      requests.filter((r) => r.path === "/cgi-bin/message/custom/send" && r.appId === appId),
    /** The next call to `path` answers this. */
    failNext(path: string, errcode: number, errmsg: string) {
      injected.push({ path, answer: err(errcode, errmsg) });
    },
    addMedia(bytes: Buffer, mimeType: string, name = "photo.jpg") {
      const id = crypto.randomBytes(16).toString("hex");
      media.set(id, { bytes, mimeType, name });
      return id;
    },
    nextMsgId: () => (msgId++).toString(),
    /** The Content-Type of media/get's error answers ("application/json" or "text/plain"). */
    setMediaErrorType(type: string) {
      mediaErrorType = type;
    },
    /** WeChat's GET to the server URL: answers the echostr when the signature matches. */
    async verifyUrl(target: string, appId: string, o: { token?: string } = {}) {
      const a = appOf(appId);
      const echostr = String(crypto.randomInt(1e12));
      const qs = signedQuery({ ...a, token: o.token ?? a.token }, { echostr });
      const res = await fetch(`${target}?${new URLSearchParams(qs)}`);
      return { status: res.status, body: await res.text(), echostr };
    },
    /**
     * Pushes a message or event from `openId` as WeChat would, plain or (`encrypt`) in safe mode. A message
     * (not an event) that was accepted opens the follower's window and resets its count.
     */
    async push(
      target: string,
      appId: string,
      fields: Record<string, string | number>,
      o: { encrypt?: boolean; raw?: string; query?: Record<string, string>; at?: number } = {},
    ) {
      const a = appOf(appId);
      const createTime = Math.floor((o.at ?? now()) / 1000);
      const xml = wechatXml({ ToUserName: "gh_0123456789ab", CreateTime: createTime, ...fields });
      let body = o.raw ?? xml;
      let qs = signedQuery(a);
      if (o.encrypt && !o.raw) {
        if (!a.aesKey) throw new Error("the app has no EncodingAESKey");
        const encrypted = wechatEncrypt(a.aesKey, appId, xml);
        body = `<xml><ToUserName>${cdata("gh_0123456789ab")}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt></xml>`;
        qs = {
          ...qs,
          encrypt_type: "aes",
          msg_signature: sha1([a.token, qs.timestamp!, qs.nonce!, encrypted]),
        };
      }
      const res = await fetch(`${target}?${new URLSearchParams({ ...qs, ...o.query })}`, {
        method: "POST",
        headers: { "content-type": "text/xml" },
        body,
      });
      const text = await res.text();
      if (res.status === 200 && fields.MsgType !== "event" && typeof fields.FromUserName === "string")
        a.window.set(fields.FromUserName, { at: o.at ?? now(), sent: 0 });
      let json: any = null;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: res.status, text, json };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type WechatFake = Awaited<ReturnType<typeof startWechatFake>>;
