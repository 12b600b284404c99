import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readRequest } from "./http";
import { hubSignature, metaJson } from "./meta-json";
import {
  ACCOUNT_ERRORS,
  GRAPH_ERRORS,
  graphError,
  type InjectedError,
  invalid,
  json,
  webhookEnvelope,
} from "./whatsapp-graph";
import * as wm from "./whatsapp-media";

export { ACCOUNT_ERRORS, GRAPH_ERRORS, hubSignature, type InjectedError, metaJson };

/**
 * A fake WhatsApp Business Cloud API (Graph) on loopback (CHANNELS.md §10.2). API side, with Bearer auth and
 * Graph's error envelope: GET /:v/:phoneNumberId, POST /:v/:phoneNumberId/messages (sends, mark-as-read),
 * POST /:v/:phoneNumberId/media (multipart uploads, then sent by `id`), GET /:v/:mediaId (lookup) and
 * GET /dl/:mediaId (the bytes, expiring). It enforces messaging_product, the 4096-character text limit, a
 * template's media header and the 24-hour window (from the last inbound message pushed, on a movable clock),
 * and can fail the next sends or a recipient's messages asynchronously (a `failed` status after a 200).
 * Driver side: the hub.challenge handshake and signed webhook POSTs, serialised the way Meta does it
 * (non-ASCII as \uXXXX, "/" as "\/") and signed over those exact bytes.
 */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: any;
}

/** A template as GET /{waba-id}/message_templates lists it. */
export interface FakeTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  components: Array<Record<string, unknown>>;
}

const DAY = 24 * 60 * 60 * 1000;

export async function startWhatsAppFake(opts: {
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  displayPhoneNumber?: string;
  asyncDelayMs?: number;
  /** The WhatsApp Business Account id whose message templates GET /:v/:wabaId/message_templates serves. */
  businessAccountId?: string;
}) {
  const wabaId = opts.businessAccountId ?? "102290129340398";
  let templates: FakeTemplate[] = [];
  /** Most templates per page, whatever `limit` the caller asks for (to exercise cursor paging). */
  let templatePageSize = 25;
  const requests: FakeRequest[] = [];
  const media = new Map<string, wm.FakeMedia>();
  const uploads = new Map<string, wm.UploadedMedia>();
  const lastInbound = new Map<string, number>();
  const asyncFailures = new Map<string, number>();
  const failures: InjectedError[] = [];
  let clockOffset = 0;
  /** Meta reports asynchronous failures a moment after the 200 (after the sender has recorded the id). */
  const asyncDelayMs = opts.asyncDelayMs ?? 300;
  let seq = 0;
  let webhook: { url: string; appSecret: string } | null = null;
  const now = () => Date.now() + clockOffset;
  let baseUrl = "";

  /** The driver: posts a signed webhook to the subscribed callback (also used for async statuses). */
  const deliver = async (
    payload: unknown,
    o: { url?: string; appSecret?: string; raw?: string; signature?: string | null } = {},
  ) => {
    const url = o.url ?? webhook?.url;
    if (!url) throw new Error("no webhook subscribed: call subscribe() or pass url");
    const raw = o.raw ?? metaJson(payload);
    // Inbound messages open (and reset) the 24-hour window of their sender.
    for (const entry of (payload as any)?.entry ?? [])
      for (const change of entry.changes ?? [])
        for (const m of change.value?.messages ?? []) lastInbound.set(m.from, now());
    const headers: Record<string, string> = { "content-type": "application/json" };
    const signature =
      o.signature === undefined
        ? hubSignature(o.appSecret ?? webhook?.appSecret ?? opts.appSecret, raw)
        : o.signature;
    if (signature !== null) headers["x-hub-signature-256"] = signature;
    const res = await fetch(url, { method: "POST", headers, body: raw });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body };
  };

  const envelope = (value: Record<string, unknown>) => webhookEnvelope(opts, value);

  const server = http.createServer((req, res) => {
    readRequest(req, ({ url, body, bytes }) => {
      const entry: FakeRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: req.headers.authorization,
        body,
      };
      requests.push(entry);
      const authorised = req.headers.authorization === `Bearer ${opts.accessToken}`;
      const segments = url.pathname.split("/").filter(Boolean);

      // Media bytes: the URL from the lookup, with the same Bearer token, for a limited time.
      if (segments[0] === "dl" && segments.length === 2 && req.method === "GET") {
        if (!authorised) return graphError(res, GRAPH_ERRORS[190]!);
        return wm.serveMedia(res, media.get(segments[1]!), now());
      }
      if (!/^v\d+\.\d+$/.test(segments[0] ?? ""))
        return invalid(res, `Unknown path components: ${url.pathname}`);
      if (!authorised)
        return graphError(res, {
          status: 401,
          code: 190,
          message: "Invalid OAuth access token - Cannot parse access token",
        });

      const [, id, edge] = segments;
      if (req.method === "POST" && id === opts.phoneNumberId && edge === "media")
        return void wm
          .acceptUpload(uploads, bytes, req.headers["content-type"])
          .then((r) => ("id" in r ? json(res, 200, r) : graphError(res, r)));
      // Message templates of the business account, with Graph's cursor paging.
      if (req.method === "GET" && id && edge === "message_templates") {
        if (id !== wabaId)
          return invalid(res, `Unsupported get request. Object with ID '${id}' does not exist.`);
        const limit = Math.max(1, Math.min(Number(url.searchParams.get("limit")) || 25, templatePageSize));
        const cursor = url.searchParams.get("after");
        const start = cursor ? Number(Buffer.from(cursor, "base64url").toString().replace(/^idx:/, "")) : 0;
        if (!Number.isInteger(start) || start < 0) return invalid(res, "Invalid cursor");
        const page = templates.slice(start, start + limit);
        const end = start + page.length;
        const enc = (n: number) => Buffer.from(`idx:${n}`).toString("base64url");
        const next = new URL(`${baseUrl}${url.pathname}`);
        next.searchParams.set("limit", String(limit));
        next.searchParams.set("after", enc(end));
        return json(res, 200, {
          data: page,
          paging: {
            cursors: { before: enc(start), after: enc(end) },
            ...(end < templates.length ? { next: next.toString() } : {}),
          },
        });
      }
      if (req.method === "GET" && id && !edge) {
        if (id === opts.phoneNumberId)
          return json(res, 200, {
            verified_name: "Parley Test",
            display_phone_number: opts.displayPhoneNumber ?? "+1 555-078-3881",
            id,
            quality_rating: "GREEN",
          });
        const m = media.get(id);
        if (!m)
          return graphError(res, {
            status: 400,
            code: 100,
            message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          });
        m.issuedAt = now();
        return json(res, 200, {
          messaging_product: "whatsapp",
          url: `${baseUrl}/dl/${id}`,
          mime_type: m.mimeType,
          sha256: crypto.createHash("sha256").update(m.bytes).digest("hex"),
          file_size: String(m.bytes.length),
          id,
        });
      }

      if (req.method === "POST" && id && edge === "messages") {
        if (id !== opts.phoneNumberId)
          return invalid(res, `Unsupported post request. Object with ID '${id}' does not exist.`);
        if (!body || typeof body !== "object") return invalid(res, "Invalid parameter");
        if (body.messaging_product !== "whatsapp")
          return invalid(res, "The parameter messaging_product is required.");
        if (body.status === "read") {
          if (typeof body.message_id !== "string")
            return invalid(res, "The parameter message_id is required.");
          return json(res, 200, { success: true });
        }
        const injected = failures.shift();
        if (injected) return graphError(res, injected);
        const to = String(body.to ?? "");
        if (!to) return invalid(res, "The parameter to is required.");
        const type = body.type ?? "text";
        if (type === "text") {
          const text = body.text?.body;
          if (typeof text !== "string" || text.length === 0)
            return invalid(res, "The parameter text['body'] is required.");
          if (text.length > 4096)
            return invalid(res, "Param text['body'] must be at most 4096 characters long.");
        } else if (["image", "video", "audio", "document", "sticker"].includes(type)) {
          const m = body[type];
          if (!m || (typeof m.link !== "string" && typeof m.id !== "string"))
            return invalid(res, `The parameter ${type}['link'] or ${type}['id'] is required.`);
          if (typeof m.id === "string" && !uploads.has(m.id))
            return graphError(res, {
              status: 400,
              code: 131053,
              message: `(#131053) Unknown media id ${m.id}`,
            });
        } else if (type === "template") {
          // Only the account's approved templates, with as many body parameters as placeholders.
          const t = body.template;
          if (typeof t?.name !== "string" || typeof t?.language?.code !== "string")
            return invalid(
              res,
              "The parameters template['name'] and template['language']['code'] are required.",
            );
          const known = templates.find((x) => x.name === t.name && x.language === t.language.code);
          if (known?.status !== "APPROVED")
            return graphError(res, {
              status: 400,
              code: 132001,
              message: "(#132001) Template name does not exist in the translation",
              details: `template name (${t.name}) does not exist in ${t.language.code}`,
            });
          const headerProblem = wm.mediaHeaderProblem(known, t, uploads);
          if (headerProblem) return graphError(res, { status: 400, code: 132012, message: headerProblem });
          const bodyText = String(known.components.find((c) => c.type === "BODY")?.text ?? "");
          const expected = new Set(bodyText.match(/\{\{\s*\w+\s*\}\}/g) ?? []).size;
          const given =
            (Array.isArray(t.components) ? t.components : []).find((c: any) => c?.type === "body")?.parameters
              ?.length ?? 0;
          if (expected !== given)
            return graphError(res, {
              status: 400,
              code: 132000,
              message: "(#132000) Number of parameters does not match the expected number of params",
              details: `body: number of localizable_params (${given}) does not match the expected number of params (${expected})`,
            });
        } else return invalid(res, `Unsupported message type: ${type}`);
        // The customer-service window: free-form messages only within 24 h of the customer's last message.
        const last = lastInbound.get(to);
        if (type !== "template" && (last === undefined || now() - last > DAY))
          return graphError(res, GRAPH_ERRORS[131047]!);
        const wamid = `wamid.HBgL${to}FQIAERgS${(++seq).toString(16).toUpperCase().padStart(18, "0")}`;
        json(res, 200, {
          messaging_product: "whatsapp",
          contacts: [{ input: to, wa_id: to }],
          messages: [{ id: wamid }],
        });
        const code = asyncFailures.get(to);
        if (code !== undefined && webhook) {
          const e = GRAPH_ERRORS[code] ?? { status: 400, code, message: `Error ${code}` };
          const title = e.message.replace(/^\(#\d+\)\s*/, "");
          setTimeout(() => {
            void deliver(
              envelope({
                statuses: [
                  {
                    id: wamid,
                    status: "failed",
                    timestamp: String(Math.floor(now() / 1000)),
                    recipient_id: to,
                    errors: [
                      {
                        code,
                        title,
                        message: title,
                        error_data: { details: e.details ?? title },
                        href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                      },
                    ],
                  },
                ],
              }),
            ).catch(() => {});
          }, asyncDelayMs);
        }
        return;
      }
      return invalid(res, `Unknown path components: ${url.pathname}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    requests,
    /** Files Parley uploaded, by media id. */
    uploads,
    /** Requests to a path ending with this suffix (e.g. "/messages"). */
    requestsTo: (suffix: string, method = "POST") =>
      requests.filter((r) => r.method === method && r.path.endsWith(suffix)),
    /** Makes the next send(s) fail with these Graph errors, in order. */
    failNext(...errors: InjectedError[]) {
      failures.push(...errors);
    },
    /** Messages to this wa_id are accepted, then reported `failed` with this code by webhook. */
    failAsync(waId: string, code: number) {
      asyncFailures.set(waId, code);
    },
    /** Stores media a customer "sent"; returns its media id. ttlMs 0: its download URL is already expired. */
    addMedia: (bytes: Buffer, mimeType: string, o: { ttlMs?: number } = {}) =>
      wm.addMedia(media, bytes, mimeType, o),
    /** Makes the media's download hang (the lookup still answers) until `release()`. */
    holdMedia: (id: string) => wm.holdMedia(media, id),
    /** Replaces the business account's templates (as Graph lists them); pageSize caps each page. */
    setTemplates(list: FakeTemplate[], o: { pageSize?: number } = {}) {
      templates = list;
      if (o.pageSize) templatePageSize = o.pageSize;
    },
    businessAccountId: wabaId,
    /** Moves the fake's clock (windows, media expiry). */
    advance(ms: number) {
      clockOffset += ms;
    },
    /** Meta's subscribe handshake against a callback URL; on success, webhooks go there. */
    async subscribe(url: string, verifyToken: string, o: { mode?: string; challenge?: string } = {}) {
      const challenge = o.challenge ?? String(crypto.randomInt(1, 2 ** 31));
      const q = new URLSearchParams({
        "hub.mode": o.mode ?? "subscribe",
        "hub.challenge": challenge,
        "hub.verify_token": verifyToken,
      });
      const res = await fetch(`${url}?${q}`);
      const text = await res.text();
      const ok = res.status === 200 && text === challenge;
      if (ok) webhook = { url, appSecret: opts.appSecret };
      return { ok, status: res.status, body: text, challenge };
    },
    deliver,
    envelope,
    /** A `messages` webhook from a customer. */
    message(from: string, m: Record<string, unknown>, o: { name?: string; id?: string; at?: number } = {}) {
      const id = o.id ?? `wamid.HBgL${from}${crypto.randomBytes(9).toString("hex").toUpperCase()}`;
      return {
        id,
        payload: envelope({
          contacts: [{ profile: { name: o.name ?? "Kerry" }, wa_id: from }],
          messages: [{ from, id, timestamp: String(Math.floor((o.at ?? now()) / 1000)), ...m }],
        }),
      };
    },
    /**
     * A `messages` change carrying only `value.errors[]`: problems of the account or number, about no
     * single message (see ACCOUNT_ERRORS for the codes it knows).
     */
    accountErrors(...codes: number[]) {
      return envelope({
        errors: codes.map((code) => {
          const e = ACCOUNT_ERRORS[code] ?? { title: "Unknown error", message: "Unknown error", details: "" };
          return {
            code,
            title: e.title,
            message: e.message,
            error_data: { details: e.details },
            href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
          };
        }),
      });
    },
    /** A `statuses` webhook about messages Parley sent. */
    statuses(...items: Array<{ id: string; status: string; at?: number; errors?: unknown[]; to?: string }>) {
      return envelope({
        statuses: items.map((s) => ({
          id: s.id,
          status: s.status,
          timestamp: String(Math.floor((s.at ?? now()) / 1000)),
          recipient_id: s.to ?? "16315551234",
          ...(s.errors ? { errors: s.errors } : {}),
          ...(s.status === "failed"
            ? {}
            : {
                conversation: { id: "c0ffee", origin: { type: "service" } },
                pricing: { billable: false, pricing_model: "PMP", category: "service" },
              }),
        })),
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WhatsAppFake = Awaited<ReturnType<typeof startWhatsAppFake>>;
