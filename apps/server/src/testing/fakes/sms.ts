import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback stand-in for a Twilio-compatible Messages API, speaking its documented format.
 *
 * API side (Basic auth `AccountSid:AuthToken`; errors as JSON `{code, message, more_info, status}`):
 * `GET /2010-04-01/Accounts/<sid>.json`, `GET …/IncomingPhoneNumbers.json?PhoneNumber=`, and
 * `POST …/Messages.json` (form-encoded To, From or MessagingServiceSid, Body, StatusCallback, MediaUrl…),
 * answering 201 with `sid` and `status: "queued"`, or 21211 (invalid To), 21606 (From not the account's),
 * 21610 (the recipient replied STOP to that sender), 21617 (body over 1,600), 20003 (bad credentials).
 * Like the provider, it answers STOP / START keywords itself and keeps the opt-out per sender and recipient.
 * Media is served at `/media/<name>` to Basic-authenticated requests.
 *
 * Driver side: `inbound()` posts a message to the number's webhook, `report()` a status callback to the
 * message's StatusCallback, both form-encoded and signed `X-Twilio-Signature` = base64 HMAC-SHA1(token, URL +
 * sorted name+value pairs).
 */

export function signTwilio(token: string, url: string, params: [string, string][]): string {
  const sorted = [...params].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return crypto
    .createHmac("sha1", token)
    .update(url + sorted.map(([k, v]) => k + v).join(""))
    .digest("base64");
}

export interface SmsRecorded {
  method: string;
  path: string;
  accountSid: string | null;
  authorized: boolean;
  form: URLSearchParams;
}

interface Account {
  sid: string;
  token: string;
  numbers: Set<string>;
  /** Where each number's inbound messages are posted ("A message comes in"). */
  inboundUrl: Map<string, string>;
}

interface SentMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | null;
  mediaUrls: string[];
}

type Injected = { status: number; code?: number; message?: string; headers?: Record<string, string> };

const E164 = /^\+[1-9]\d{6,14}$/;
const OPT_OUT = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]);
const OPT_IN = new Set(["START", "YES", "UNSTOP"]);

const hex = (n: number) => crypto.randomBytes(n).toString("hex");

export async function startSmsFake() {
  const accounts = new Map<string, Account>();
  const requests: SmsRecorded[] = [];
  const messages = new Map<string, SentMessage>();
  /** `${sender}|${recipient}` of recipients who replied STOP. */
  const optedOut = new Set<string>();
  /** The provider's own answers to keywords (not Parley's messages). */
  const autoReplies: { to: string; from: string; body: string }[] = [];
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  const injected: Injected[] = [];
  let url = "";

  const error = (res: http.ServerResponse, status: number, code: number, message: string) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }),
    );
  };

  function auth(req: http.IncomingMessage): Account | null {
    const h = req.headers.authorization ?? "";
    if (!h.startsWith("Basic ")) return null;
    const [sid, token] = Buffer.from(h.slice(6), "base64").toString("utf8").split(":");
    const a = sid ? accounts.get(sid) : undefined;
    return a && a.token === token ? a : null;
  }

  function sendMessage(a: Account, form: URLSearchParams, res: http.ServerResponse) {
    const inject = injected.shift();
    if (inject) {
      res.writeHead(inject.status, { "content-type": "application/json", ...inject.headers });
      res.end(
        inject.code
          ? JSON.stringify({ code: inject.code, message: inject.message ?? "Error", status: inject.status })
          : "",
      );
      return;
    }
    const to = form.get("To") ?? "";
    const service = form.get("MessagingServiceSid");
    const from = service ? ([...a.numbers][0] ?? "") : (form.get("From") ?? "");
    const body = form.get("Body") ?? "";
    const mediaUrls = form.getAll("MediaUrl");
    if (!E164.test(to)) return error(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!service && !a.numbers.has(from))
      return error(
        res,
        400,
        21606,
        `The From phone number ${from} is not a valid, SMS-capable number for this account.`,
      );
    if (!body && mediaUrls.length === 0) return error(res, 400, 21602, "Message body is required.");
    if (body.length > 1600)
      return error(res, 400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    if (optedOut.has(`${from}|${to}`))
      return error(res, 400, 21610, "Attempt to send to unsubscribed recipient");
    const sid = `SM${hex(16)}`;
    messages.set(sid, {
      sid,
      accountSid: a.sid,
      to,
      from,
      body,
      statusCallback: form.get("StatusCallback"),
      mediaUrls,
    });
    res.writeHead(201, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        sid,
        account_sid: a.sid,
        to,
        from,
        body,
        status: "queued",
        num_media: String(mediaUrls.length),
        direction: "outbound-api",
        api_version: "2010-04-01",
        error_code: null,
        error_message: null,
      }),
    );
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://fake");
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      const a = auth(req);
      const m =
        /^\/2010-04-01\/Accounts\/([^/]+?)(\.json|\/Messages\.json|\/IncomingPhoneNumbers\.json)$/.exec(
          u.pathname,
        );
      requests.push({
        method: req.method ?? "",
        path: u.pathname,
        accountSid: m?.[1] ?? null,
        authorized: !!a,
        form,
      });
      if (req.method === "GET" && u.pathname.startsWith("/media/")) {
        const file = media.get(decodeURIComponent(u.pathname.slice(7)));
        if (!a) return error(res, 401, 20003, "Authenticate");
        if (!file) return error(res, 404, 20404, "The requested resource was not found");
        res.writeHead(200, { "content-type": file.mimeType, "content-length": String(file.bytes.length) });
        res.end(file.bytes);
        return;
      }
      if (!m) return error(res, 404, 20404, "The requested resource was not found");
      if (!a || a.sid !== m[1]) return error(res, 401, 20003, "Authenticate");
      if (m[2] === ".json" && req.method === "GET") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ sid: a.sid, friendly_name: "Fake account", status: "active", type: "Full" }),
        );
        return;
      }
      if (m[2] === "/IncomingPhoneNumbers.json" && req.method === "GET") {
        const wanted = u.searchParams.get("PhoneNumber");
        const list = [...a.numbers].filter((n) => !wanted || n === wanted);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            incoming_phone_numbers: list.map((n) => ({ sid: `PN${hex(16)}`, phone_number: n })),
          }),
        );
        return;
      }
      if (m[2] === "/Messages.json" && req.method === "POST") return sendMessage(a, form, res);
      return error(res, 405, 20004, "Method not allowed");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Posts form parameters to `target`, signed with the account's token (or the given signature). */
  async function post(
    token: string,
    target: string,
    params: [string, string][],
    signature?: string,
    signUrl?: string,
  ) {
    const res = await fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature ?? signTwilio(token, signUrl ?? target, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, body };
  }

  return {
    url,
    requests,
    messages,
    autoReplies,
    optedOut,
    /** An account with its SID, token and numbers. */
    addAccount(numbers: string[]) {
      const a: Account = {
        sid: `AC${hex(16)}`,
        token: hex(16),
        numbers: new Set(numbers),
        inboundUrl: new Map(),
      };
      accounts.set(a.sid, a);
      return a;
    },
    /** Sets where a number's inbound messages go (the admin pastes Parley's webhook URL at the provider). */
    setInboundUrl(account: Account, number: string, target: string) {
      account.inboundUrl.set(number, target);
    },
    /** The messages sent to one recipient, oldest first. */
    sentTo: (to: string) => [...messages.values()].filter((m) => m.to === to),
    /** The next Messages.json posts answer this, one per call, in order. */
    failNextSend(status: number, code?: number, message?: string, headers?: Record<string, string>) {
      injected.push({
        status,
        ...(code ? { code } : {}),
        ...(message ? { message } : {}),
        ...(headers ? { headers } : {}),
      });
    },
    /** Serves bytes at `${url}/media/<name>` to authenticated requests. */
    addMedia(name: string, bytes: Buffer, mimeType: string) {
      media.set(name, { bytes, mimeType });
      return `${url}/media/${encodeURIComponent(name)}`;
    },
    /**
     * A customer's message to one of the account's numbers, posted to its webhook. STOP-like and START-like
     * keywords change the opt-out first and are answered by the provider, as Twilio does.
     */
    async inbound(
      account: Account,
      o: { from: string; to: string; body: string; media?: { url: string; type: string }[]; sid?: string },
      opts: {
        signature?: string;
        /** Sign over this URL instead of the one posted to (a signature made for another address). */
        signUrl?: string;
        extra?: [string, string][];
        target?: string;
      } = {},
    ) {
      const target = opts.target ?? account.inboundUrl.get(o.to);
      if (!target) throw new Error(`no webhook set for ${o.to}`);
      const word = o.body.trim().toUpperCase();
      if (OPT_OUT.has(word)) {
        optedOut.add(`${o.to}|${o.from}`);
        autoReplies.push({ to: o.from, from: o.to, body: "You have successfully been unsubscribed." });
      } else if (OPT_IN.has(word)) {
        optedOut.delete(`${o.to}|${o.from}`);
        autoReplies.push({ to: o.from, from: o.to, body: "You have successfully been re-subscribed." });
      }
      const sid = o.sid ?? `SM${hex(16)}`;
      const params: [string, string][] = [
        ["ToCountry", "US"],
        ["SmsMessageSid", sid],
        ["NumMedia", String(o.media?.length ?? 0)],
        ["SmsSid", sid],
        ["SmsStatus", "received"],
        ["Body", o.body],
        ["To", o.to],
        ["NumSegments", "1"],
        ["MessageSid", sid],
        ["AccountSid", account.sid],
        ["From", o.from],
        ["ApiVersion", "2010-04-01"],
        ...(o.media ?? []).flatMap((m, i): [string, string][] => [
          [`MediaUrl${i}`, m.url],
          [`MediaContentType${i}`, m.type],
        ]),
        ...(opts.extra ?? []),
      ];
      return { sid, ...(await post(account.token, target, params, opts.signature, opts.signUrl)) };
    },
    /** A status callback for a sent message (`undelivered`/`failed` with an error code). */
    async report(
      account: Account,
      sid: string,
      status: string,
      o: { errorCode?: string; signature?: string; target?: string } = {},
    ) {
      const m = messages.get(sid);
      const target = o.target ?? m?.statusCallback;
      if (!target) throw new Error(`message ${sid} has no status callback`);
      const params: [string, string][] = [
        ["SmsSid", sid],
        ["SmsStatus", status],
        ["MessageStatus", status],
        ["To", m?.to ?? ""],
        ["MessageSid", sid],
        ["AccountSid", account.sid],
        ["From", m?.from ?? ""],
        ["ApiVersion", "2010-04-01"],
        ...(o.errorCode ? ([["ErrorCode", o.errorCode]] as [string, string][]) : []),
      ];
      return post(account.token, target, params, o.signature);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SmsFake = Awaited<ReturnType<typeof startSmsFake>>;
