import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readRequest } from "./http";
import { commentState, commentWebhook } from "./meta-comments";
import { hubSignature, metaJson } from "./meta-json";
import { mentionState, mentionWebhook } from "./meta-mentions";

export { commentWebhook, hubSignature, mentionWebhook, metaJson };

/**
 * A loopback stand-in for Meta's Graph API as Messenger and Instagram use it (CHANNELS.md §10.3), on two ports:
 * one for graph.facebook.com and one for graph.instagram.com.
 *
 * API side: `POST /:v/me/messages` and `POST /:v/:id/messages` (Bearer or `access_token`), text / attachment
 * → `{"recipient_id","message_id"}`, `sender_action` → `{"recipient_id"}` (mixing it with `message` is refused),
 * the 24 h window (7 d with MESSAGE_TAG + HUMAN_AGENT) on a controllable clock, text limits (2000 characters /
 * 1000 bytes), `GET /:v/me`, `POST /:v/:pageId/subscribed_apps`, `POST /:v/me/message_attachments`, injected
 * errors, expiring "CDN" media at `/cdn/:name`, and the User Profile API (`GET /:v/:psid-or-igsid?fields=…`:
 * the requested fields of a known user, a picture link with a fresh signature each time; an unknown user →
 * 400 GraphMethodException 100/33; an unknown token → 400 OAuthException 190). Driver side: signed webhooks (`X-Hub-Signature-256` over
 * the exact bytes, serialised like Meta with non-ASCII characters and slashes escaped).
 */

export type Platform = "messenger" | "instagram";

export interface MetaRequest {
  host: "graph" | "instagram";
  method: string;
  path: string;
  query: Record<string, string>;
  /** The token the request authenticated with (Bearer header or access_token). */
  token: string | null;
  authorization: string | undefined;
  body: any;
}

export interface InjectedError {
  status: number;
  error?: { message: string; type?: string; code: number; error_subcode?: number };
  headers?: Record<string, string>;
  raw?: string;
}

/** A customer's profile as the User Profile API gives it (Messenger: first/last name; Instagram: username). */
export interface FakeProfile {
  name?: string;
  first_name?: string;
  last_name?: string;
  username?: string;
  profile_pic?: string;
}

interface Account {
  platform: Platform;
  /** Page id (Messenger, Instagram via page) or IG user id (Instagram Login). */
  accountId: string;
  host: "graph" | "instagram";
}

const HOUR = 3600_000;

export async function startMetaFake() {
  const requests: MetaRequest[] = [];
  const accounts = new Map<string, Account>();
  const lastInbound = new Map<string, number>();
  const media = new Map<string, { bytes: Buffer; mimeType: string; expiresAt: number }>();
  const injected: InjectedError[] = [];
  const injectedProfile: InjectedError[] = [];
  const profiles = new Map<string, FakeProfile>();
  let offsetMs = 0;
  let counter = 0;
  const now = () => Date.now() + offsetMs;
  const comments = commentState(now);
  const mentions = mentionState(now);

  const graphError = (
    res: http.ServerResponse,
    status: number,
    error: { message: string; type?: string; code: number; error_subcode?: number },
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(
      JSON.stringify({
        error: { type: "OAuthException", ...error, fbtrace_id: `A${crypto.randomBytes(6).toString("hex")}` },
      }),
    );
  };
  const ok = (res: http.ServerResponse, body: unknown) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const handle = (host: "graph" | "instagram") => (req: http.IncomingMessage, res: http.ServerResponse) => {
    readRequest(req, ({ url, body }) => {
      const query = Object.fromEntries(url.searchParams.entries());
      const authorization = req.headers.authorization;
      const token = authorization?.startsWith("Bearer ")
        ? authorization.slice(7)
        : (query.access_token ?? null);

      // The "CDN": media the webhooks point to, expiring like Meta's signed links.
      const cdn = url.pathname.match(/^\/cdn\/([^/]+)$/);
      if (cdn && req.method === "GET") {
        const m = media.get(decodeURIComponent(cdn[1]!));
        if (!m) return graphError(res, 404, { message: "Not found", code: 100 });
        if (now() > m.expiresAt) {
          res.writeHead(403, { "content-type": "text/plain" });
          return res.end("URL signature expired");
        }
        res.writeHead(200, { "content-type": m.mimeType, "content-length": String(m.bytes.length) });
        return res.end(m.bytes);
      }

      const entry: MetaRequest = {
        host,
        method: req.method ?? "GET",
        path: url.pathname,
        query,
        token,
        authorization,
        body,
      };
      requests.push(entry);
      const account = token ? accounts.get(token) : undefined;
      if (!account || account.host !== host)
        return graphError(res, 400, {
          message: "Invalid OAuth access token - Cannot parse access token",
          code: 190,
        });
      const parts = url.pathname.split("/").filter(Boolean); // [v, ...]
      if (!/^v\d+\.\d+$/.test(parts[0] ?? ""))
        return graphError(res, 400, { message: "Unknown path components", code: 2500 });
      const [, node, edge] = parts;

      if (req.method === "GET" && node === "me" && !edge) {
        return ok(
          res,
          host === "instagram"
            ? { user_id: account.accountId, id: account.accountId, username: "fake_ig" }
            : { id: account.accountId, name: "Fake Page" },
        );
      }
      // Mentions of the account (R451): read on the account's node, answered on its `mentions` edge.
      const onMention =
        node === account.accountId ? mentions.handle(req.method ?? "GET", edge, query, body) : null;
      if (onMention)
        return "error" in onMention
          ? graphError(res, onMention.status, onMention.error)
          : ok(res, onMention.body);
      if (node && comments.knows(node)) {
        // Injected errors answer comment calls too (a provider refusing to hide, delete or reply).
        const next = injected.shift();
        if (next) return graphError(res, next.status, next.error!, next.headers);
      }
      const onComment = node ? comments.handle(req.method ?? "GET", node, edge, query, body) : null;
      if (onComment) {
        if ("error" in onComment) return graphError(res, onComment.status, onComment.error);
        const echo = comments.takeEcho();
        if (echo && comments.onPublicReply) {
          void comments.onPublicReply(echo.comment, echo.reply).finally(() => ok(res, onComment.body));
          return;
        }
        return ok(res, onComment.body);
      }
      if (req.method === "GET" && node && node !== "me" && !edge) {
        const next = injectedProfile.shift();
        if (next) {
          if (next.raw !== undefined) {
            res.writeHead(next.status, next.headers ?? {});
            return res.end(next.raw);
          }
          return graphError(res, next.status, next.error!, next.headers);
        }
        const profile = profiles.get(node);
        if (!profile)
          return graphError(res, 400, {
            message: `Unsupported get request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
            type: "GraphMethodException",
            code: 100,
            error_subcode: 33,
          });
        const fields = (query.fields ?? "").split(",").filter(Boolean);
        const out: Record<string, string> = { id: node };
        for (const f of fields) {
          const v = profile[f as keyof FakeProfile];
          if (v === undefined) continue;
          // Picture links carry a signature that changes with every look-up and expires, as Meta's do.
          out[f] = f === "profile_pic" ? `${v}?oh=${crypto.randomBytes(4).toString("hex")}&oe=${now()}` : v;
        }
        return ok(res, out);
      }
      if (req.method === "POST" && edge === "subscribed_apps") return ok(res, { success: true });
      if (req.method === "POST" && edge === "message_attachments")
        return ok(res, { attachment_id: String(1_000_000 + ++counter) });
      if (req.method !== "POST" || edge !== "messages")
        return graphError(res, 400, { message: "Unsupported request", code: 100 });

      const next = injected.shift();
      if (next) {
        if (next.raw !== undefined) {
          res.writeHead(next.status, next.headers ?? {});
          return res.end(next.raw);
        }
        return graphError(res, next.status, next.error!, next.headers);
      }
      const privateReply = comments.privateReply(body);
      if (privateReply && "error" in privateReply)
        return graphError(res, privateReply.status, privateReply.error);
      if (privateReply) return ok(res, privateReply.body);
      const recipient = body?.recipient?.id;
      if (typeof recipient !== "string")
        return graphError(res, 400, { message: "(#100) The parameter recipient is required", code: 100 });
      if (body.sender_action) {
        if (body.message)
          return graphError(res, 400, {
            message: "(#100) sender_action cannot be sent with message",
            code: 100,
          });
        return ok(res, { recipient_id: recipient });
      }
      const last = lastInbound.get(`${account.platform}:${recipient}`);
      const since = last === undefined ? Number.POSITIVE_INFINITY : now() - last;
      const tagged = body.messaging_type === "MESSAGE_TAG" && body.tag === "HUMAN_AGENT";
      if (since > (tagged ? 7 * 24 * HOUR : 24 * HOUR))
        return graphError(res, 400, {
          message: "(#10) This message is sent outside of allowed window.",
          code: 10,
          error_subcode: account.platform === "messenger" ? 2018278 : 2534022,
        });
      const text = body.message?.text;
      if (typeof text === "string") {
        if (account.platform === "messenger" && [...text].length > 2000)
          return graphError(res, 400, {
            message: "(#100) Length of param message[text] must be less than or equal to 2000",
            code: 100,
          });
        if (account.platform === "instagram" && Buffer.byteLength(text) > 1000)
          return graphError(res, 400, { message: "(#100) The message text is too long", code: 100 });
      } else if (!body.message?.attachment) {
        return graphError(res, 400, { message: "(#100) Param message must be non-empty", code: 100 });
      }
      const n = ++counter;
      const mid =
        account.platform === "messenger"
          ? `m_fake${n}_${crypto.randomBytes(6).toString("hex")}`
          : `aWdfZmFrZ${Buffer.from(`${n}:${crypto.randomBytes(4).toString("hex")}`).toString("base64url")}`;
      return ok(res, { recipient_id: recipient, message_id: mid });
    });
  };

  const listen = async (h: "graph" | "instagram") => {
    const server = http.createServer(handle(h));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const graph = await listen("graph");
  const instagram = await listen("instagram");

  const recordInbound = (platform: Platform, payload: any) => {
    for (const entry of payload?.entry ?? []) {
      for (const ev of entry.messaging ?? []) {
        // A message, a button tap or a reaction: each opens (renews) the 24-hour window.
        if ((ev.message && !ev.message.is_echo) || ev.postback || ev.reaction?.action === "react") {
          const key = `${platform}:${ev.sender?.id}`;
          lastInbound.set(key, Math.max(lastInbound.get(key) ?? 0, ev.timestamp ?? now()));
        }
      }
    }
  };

  return {
    /** Base for GRAPH_API_BASE. */
    graphUrl: graph.url,
    /** Base for INSTAGRAM_API_BASE. */
    instagramUrl: instagram.url,
    requests,
    now,
    /** Moves the fake's clock (its messaging windows) forward. */
    advance(ms: number) {
      offsetMs += ms;
    },
    /** A token the API accepts, and whose account it speaks for. */
    addAccount(token: string, account: Account) {
      accounts.set(token, account);
    },
    /** Posts and comments (R451): see meta-comments.ts. */
    comments,
    /** Others' media mentioning the account, and the replies to them (R451): see meta-mentions.ts. */
    mentions,
    /** The next Send API calls answer these errors, in order. */
    inject(...errors: InjectedError[]) {
      injected.push(...errors);
    },
    /** The User Profile API answers for this user id (PSID or IGSID). */
    setProfile(userId: string, profile: FakeProfile) {
      profiles.set(userId, profile);
    },
    /** The next profile look-ups answer these errors, in order. */
    injectProfile(...errors: InjectedError[]) {
      injectedProfile.push(...errors);
    },
    /** Profile look-ups made for this user id. */
    profileLookups(userId: string) {
      return requests.filter((r) => r.method === "GET" && r.path.endsWith(`/${userId}`));
    },
    /** Serves bytes at a CDN URL that expires after ttlMs (negative: already expired). */
    cdn(name: string, bytes: Buffer, mimeType: string, ttlMs = 5 * 60_000): string {
      media.set(name, { bytes, mimeType, expiresAt: now() + ttlMs });
      return `${graph.url}/cdn/${encodeURIComponent(name)}`;
    },
    /** Send API calls for one recipient (message sends and sender actions). */
    sends(recipient: string) {
      return requests.filter((r) => r.path.endsWith("/messages") && r.body?.recipient?.id === recipient);
    },
    /**
     * Posts a webhook as Meta does: serialised Meta-style (or the given raw string) and signed over those bytes.
     * A customer message in it opens the fake's window for that customer.
     */
    async webhook(
      url: string,
      payload: unknown,
      opts: { appSecret: string; raw?: string; signature?: string; platform?: Platform },
    ) {
      const raw = opts.raw ?? metaJson(payload);
      recordInbound(
        opts.platform ?? ((payload as any)?.object === "instagram" ? "instagram" : "messenger"),
        payload,
      );
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-hub-signature-256": opts.signature ?? hubSignature(opts.appSecret, raw),
          "x-hub-signature": `sha1=${crypto.createHmac("sha1", opts.appSecret).update(raw).digest("hex")}`,
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
    async close() {
      await Promise.all(
        [graph.server, instagram.server].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}

export type MetaFake = Awaited<ReturnType<typeof startMetaFake>>;

/** Builders of webhook bodies (object "page" / "instagram"). */
export const metaWebhook = {
  page: (pageId: string, messaging: unknown[], time = Date.now()) => ({
    object: "page",
    entry: [{ id: pageId, time, messaging }],
  }),
  instagram: (igId: string, messaging: unknown[], time = Date.now()) => ({
    object: "instagram",
    entry: [{ id: igId, time, messaging }],
  }),
};
