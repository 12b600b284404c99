import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  attachmentProblemText,
  countNonSpace,
  fileProblem,
  isPreviewImage,
  LIMITS,
  WIDGET_CAPABILITIES,
  type WidgetServerFrame,
  type WidgetSettings,
} from "@parley/protocol";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { InboundEvent } from "../../channels/types";
import { verifyIdentity, type WidgetCredentials } from "../../channels/widget/adapter";
import type { AppContext } from "../../context";
import type { App } from "../../http/types";
import { randomToken } from "../../lib/crypto";
import { AppError, notFound } from "../../lib/errors";
import { storeBuffer } from "../../storage/files";
import { accessOf, loadConversationRow } from "../conversations/present";
import { MESSAGE_COLUMNS, type MessageRow } from "../messages/present";
import { type VisitorSession, WidgetHub } from "./hub";
import {
  agentsReadUpTo,
  presentForVisitor,
  providerIdFor,
  tokenHash,
  touchVisitor,
  type Visitor,
  visitorByToken,
  visitorConversation,
  visitorMessages,
} from "./visitors";

/** The built widget (apps/widget/dist: loader.js, frame.js, frame.css), made by apps/widget/scripts/build.mjs. */
export const WIDGET_DIST = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../widget/dist",
);
const HEARTBEAT_MS = 20_000;
const hubs = new WeakMap<object, WidgetHub>();
/** The visitor-socket hub of a running app (tests cut a visitor's connection through it). */
export const widgetHubOf = (app: object) => hubs.get(app);
const tags = ["web chat widget"];
const STATIC: Record<string, string> = {
  "loader.js": "text/javascript; charset=utf-8",
  "frame.js": "text/javascript; charset=utf-8",
  "frame.css": "text/css; charset=utf-8",
};

const Page = z.object({
  /** The embedding page's origin, as the browser reported it to the widget frame (postMessage). */
  origin: z.string().max(200),
  url: z.string().max(2048).optional(),
  title: z.string().max(300).optional(),
  referrer: z.string().max(2048).optional(),
  landingPage: z.string().max(2048).optional(),
  utm: z.record(z.string().max(40), z.string().max(300)).optional(),
  language: z.string().max(35).optional(),
  timezone: z.string().max(64).optional(),
});
const ContactFields = z.object({
  name: z.string().trim().max(200).optional(),
  email: z.email().max(320).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^[+0-9 ()-]{5,32}$/, "A phone number has digits, spaces, +, - and brackets")
    .optional(),
});

interface WidgetConnection {
  id: string;
  workspace_id: string;
  name: string;
  enabled: boolean;
  settings: WidgetSettings;
  credentials_enc: string;
}

/** Browser and OS from the User-Agent, roughly (enough for an agent to know what the visitor uses). */
export function describeUserAgent(ua: string): { browser: string; os: string } {
  const browser =
    /Edg\/(\d+)/.exec(ua)?.[1] != null
      ? `Edge ${/Edg\/(\d+)/.exec(ua)![1]}`
      : /OPR\/(\d+)/.test(ua)
        ? `Opera ${/OPR\/(\d+)/.exec(ua)![1]}`
        : /Firefox\/(\d+)/.test(ua)
          ? `Firefox ${/Firefox\/(\d+)/.exec(ua)![1]}`
          : /Chrom(e|ium)\/(\d+)/.test(ua)
            ? `Chrome ${/Chrom(?:e|ium)\/(\d+)/.exec(ua)![1]}`
            : /Version\/(\d+).*Safari/.test(ua)
              ? `Safari ${/Version\/(\d+)/.exec(ua)![1]}`
              : "Other";
  const os = /Windows NT/.test(ua)
    ? "Windows"
    : /Android/.test(ua)
      ? "Android"
      : /iPhone|iPad|iPod/.test(ua)
        ? "iOS"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /CrOS/.test(ua)
            ? "ChromeOS"
            : /Linux/.test(ua)
              ? "Linux"
              : "Other";
  return { browser, os };
}

/** A fixed-window counter per key (in this process), for a second limit on a route. */
export class WindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}
  take(key: string) {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 50_000) this.windows.clear();
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (++w.count > this.max) {
      throw new AppError(
        "rate_limited",
        `Too many messages from this address. Try again in ${Math.ceil((w.start + this.windowMs - now) / 1000)} seconds.`,
      );
    }
  }
}

const bearer = (req: FastifyRequest) => {
  const h = req.headers.authorization;
  return typeof h === "string" && h.startsWith("Bearer ") ? h.slice(7) : null;
};

/**
 * The visitor API of the website chat widget (no agent session): a session per browser token, the
 * visitor's messages, uploads and a WebSocket that resumes from the last message it saw. Also serves the
 * widget's files and the frame page.
 */
export async function widgetRoutes(app: App, ctx: AppContext) {
  const hub = new WidgetHub(ctx);
  hubs.set(app, hub);
  app.addHook("onClose", async () => hub.stop());
  const selfOrigin = () => new URL(ctx.config.publicUrl).origin;
  const perIp = new WindowLimiter(120, 60_000);

  /** Browsers send Origin on these requests: only Parley's own frame or an allowed site may call. */
  const checkOrigin = (req: FastifyRequest, settings: WidgetSettings) => {
    const origin = req.headers.origin;
    if (!origin || origin === selfOrigin() || settings.allowedOrigins.includes(origin)) return;
    throw new AppError(
      "forbidden",
      `The site ${origin} may not use this chat: add it to the widget's allowed origins in Parley.`,
    );
  };

  const loadConnection = async (id: string) => {
    const [row] = await ctx.db.query<WidgetConnection>(
      "select id, workspace_id, name, enabled, settings, credentials_enc from channel_connections where id = $1 and type = 'widget'",
      [id],
    );
    if (!row) throw notFound("Chat widget");
    if (!row.enabled) throw new AppError("forbidden", "This chat is switched off.");
    return row;
  };

  const publicSettings = (s: WidgetSettings) => ({
    greeting: s.greeting,
    color: s.color,
    position: s.position,
    language: s.language,
    preChat: s.preChat,
    readReceipts: s.readReceipts,
    maxFileBytes: s.maxFileBytes,
    textMaxChars: WIDGET_CAPABILITIES.textMaxChars,
  });

  // ---- static files and the frame page -------------------------------------------------------------

  app.get(
    "/widget/:file",
    { config: { auth: false }, schema: { hide: true, params: z.object({ file: z.string().max(40) }) } },
    async (req, reply) => {
      const type = STATIC[req.params.file];
      if (!type) throw notFound("Widget file");
      let body: Buffer;
      try {
        body = await fs.promises.readFile(path.join(WIDGET_DIST, req.params.file));
      } catch {
        throw new AppError("unavailable", "The widget is not built: run `npm start` (it builds it).");
      }
      return reply
        .header("content-type", type)
        .header("cache-control", "public, max-age=300")
        .header("x-content-type-options", "nosniff")
        .header("cross-origin-resource-policy", "cross-origin")
        .send(body);
    },
  );

  app.get(
    "/widget/frame",
    {
      config: { auth: false },
      schema: { hide: true, querystring: z.object({ connection: z.uuid() }) },
    },
    async (req, reply) => {
      const conn = await loadConnection(req.query.connection);
      const ancestors = conn.settings.allowedOrigins.length
        ? conn.settings.allowedOrigins.join(" ")
        : "'none'";
      const ws = selfOrigin().replace(/^http/, "ws");
      const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Chat</title><link rel="stylesheet" href="/widget/frame.css"></head><body><div id="parley-widget"></div><script src="/widget/frame.js"></script></body></html>`;
      return reply
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .header(
          "content-security-policy",
          // Only the allowed sites may frame the chat; the frame runs only Parley's own files.
          `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' ${ws}; frame-ancestors ${ancestors}; base-uri 'none'; form-action 'none'`,
        )
        .header("referrer-policy", "no-referrer")
        .send(html);
    },
  );

  // ---- visitor API ---------------------------------------------------------------------------------

  app.post(
    "/api/widget/sessions",
    {
      config: {
        auth: false,
        rateLimit: { max: 60, timeWindow: "1 minute", keyGenerator: (req) => `widget-session|${req.ip}` },
      },
      schema: {
        tags,
        summary:
          "Start or resume a visitor session of a widget connection (the page's origin must be allowed)",
        body: z.object({
          connection: z.uuid(),
          token: z.string().max(200).optional(),
          page: Page,
          identity: z
            .object({
              userId: z.string().min(1).max(200),
              hash: z.string().max(128).optional(),
              name: z.string().trim().max(200).optional(),
              email: z.email().max(320).optional(),
            })
            .optional(),
          contact: ContactFields.optional(),
        }),
      },
    },
    async (req) => {
      const conn = await loadConnection(req.body.connection);
      const settings = conn.settings;
      checkOrigin(req, settings);
      const { page, identity } = req.body;
      if (!settings.allowedOrigins.includes(page.origin)) {
        throw new AppError(
          "forbidden",
          `The site ${page.origin} may not use this chat: add it to the widget's allowed origins in Parley.`,
        );
      }
      let externalId: string | null = null;
      let identityState: "none" | "verified" | "ignored" = "none";
      if (identity) {
        if (!settings.identityVerification) identityState = "ignored";
        else {
          const credentials = ctx.secrets.open<WidgetCredentials>(conn.credentials_enc);
          if (!identity.hash || !verifyIdentity(credentials, identity.userId, identity.hash)) {
            throw new AppError(
              "invalid_signature",
              "The identity hash does not match the user id: compute HMAC-SHA256 of the user id with the widget's identity secret, in hex, on your server.",
            );
          }
          externalId = `u:${identity.userId}`;
          identityState = "verified";
        }
      }
      const ua = describeUserAgent(String(req.headers["user-agent"] ?? ""));
      const source: Record<string, string> = {};
      const put = (k: string, v: string | undefined) => {
        if (v) source[k] = v;
      };
      put("landingPage", page.landingPage ?? page.url);
      put("currentPage", page.url);
      put("pageTitle", page.title);
      put("referrer", page.referrer);
      for (const [k, v] of Object.entries(page.utm ?? {})) if (/^(utm_\w+|gclid|fbclid)$/.test(k)) put(k, v);
      put("browser", ua.browser);
      put("os", ua.os);
      put("language", page.language);
      put("timezone", page.timezone);
      const contact = {
        ...(req.body.contact ?? {}),
        ...(identityState === "verified" && identity?.name ? { name: identity.name } : {}),
        ...(identityState === "verified" && identity?.email ? { email: identity.email } : {}),
      };

      let visitor: Visitor | null = null;
      if (req.body.token) {
        try {
          visitor = await visitorByToken(ctx.db, req.body.token);
        } catch {
          visitor = null;
        }
        // Another connection's token, another signed-in user, or a user who signed out: a new visitor.
        if (
          visitor &&
          (visitor.connectionId !== conn.id ||
            (externalId !== null && visitor.externalId !== externalId) ||
            (externalId === null && visitor.verified))
        )
          visitor = null;
      }
      const now = ctx.clock.now();
      let token = req.body.token ?? "";
      if (!visitor) {
        token = randomToken(24);
        const id = crypto.randomUUID();
        await ctx.db.query(
          `insert into widget_visitors (id, workspace_id, connection_id, token_hash, external_id, verified, last_seen_at, source, contact, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7)`,
          [
            id,
            conn.workspace_id,
            conn.id,
            tokenHash(token),
            externalId ?? `v:${id}`,
            identityState === "verified",
            now,
            JSON.stringify(source),
            JSON.stringify(contact),
          ],
        );
      } else {
        // The landing page and UTM stay those of the first visit; the current page follows the visitor.
        await ctx.db.query(
          `update widget_visitors set last_seen_at = $2, source = $3::jsonb || source || $4::jsonb,
             contact = contact || $5::jsonb where id = $1`,
          [
            visitor.id,
            now,
            JSON.stringify(source),
            JSON.stringify({ currentPage: source.currentPage ?? "" }),
            JSON.stringify(contact),
          ],
        );
      }
      visitor = await visitorByToken(ctx.db, token);
      const conversationId = await visitorConversation(ctx.db, visitor);
      if (conversationId && source.currentPage) {
        await ctx.db.query("update conversations set source = source || $2::jsonb where id = $1", [
          conversationId,
          JSON.stringify({ currentPage: source.currentPage }),
        ]);
      }
      const messages = conversationId ? await latestMessages(conversationId) : [];
      return {
        token,
        visitorId: visitor.id,
        identity: identityState,
        conversationId,
        messages,
        readUpTo: conversationId ? await agentsReadUpTo(ctx.db, visitor, conversationId) : 0,
        contact: visitor.contact,
        settings: publicSettings(settings),
      };
    },
  );

  /** The newest 200 messages of the conversation, oldest first. */
  const latestMessages = async (conversationId: string) => {
    const [row] = await ctx.db.query<{ seq: string | null }>(
      `select min(seq) as seq from (select seq from messages where conversation_id = $1 and kind = 'message'
         and direction in ('inbound', 'outbound') order by seq desc limit 200) x`,
      [conversationId],
    );
    return visitorMessages(ctx, conversationId, Number(row?.seq ?? 1) - 1);
  };

  app.get(
    "/api/widget/messages",
    {
      config: { auth: false },
      schema: {
        tags,
        summary: "The visitor's messages after a feed position (Bearer visitor token)",
        querystring: z.object({ after: z.coerce.number().int().nonnegative().default(0) }),
      },
    },
    async (req) => {
      const visitor = await visitorByToken(ctx.db, bearer(req));
      checkOrigin(req, visitor.settings);
      const conversationId = await visitorConversation(ctx.db, visitor);
      return {
        conversationId,
        messages: conversationId ? await visitorMessages(ctx, conversationId, req.query.after) : [],
      };
    },
  );

  app.post(
    "/api/widget/messages",
    {
      config: {
        auth: false,
        // Per visitor; the address has its own, larger budget below (new sessions do not escape it).
        rateLimit: {
          max: 30,
          timeWindow: "1 minute",
          keyGenerator: (req) => `widget-message|${bearer(req)?.slice(0, 64) ?? req.ip}`,
        },
      },
      schema: {
        tags,
        summary: "The visitor writes (idempotent by its clientId: a retried send is stored once)",
        body: z.object({
          clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8–64 letters, digits, - or _"),
          text: z.string().max(WIDGET_CAPABILITIES.textMaxChars).optional(),
          fileIds: z.array(z.uuid()).max(10).default([]),
        }),
      },
    },
    async (req) => {
      perIp.take(req.ip);
      const visitor = await visitorByToken(ctx.db, bearer(req));
      checkOrigin(req, visitor.settings);
      const text = req.body.text?.trim() ? req.body.text : null;
      if (!text && req.body.fileIds.length === 0) {
        throw new AppError("validation_failed", "Write a message or attach a file.");
      }
      if (text && countNonSpace(text) > LIMITS.messageNonSpaceChars) {
        throw new AppError(
          "validation_failed",
          `A message may have at most ${LIMITS.messageNonSpaceChars} characters besides spaces.`,
        );
      }
      const conversationId = await visitorConversation(ctx.db, visitor);
      if (!conversationId) {
        const pc = visitor.settings.preChat;
        const missing = (["name", "email", "phone"] as const).filter(
          (f) => pc[f] === "required" && !visitor.contact[f],
        );
        if (missing.length) {
          throw new AppError("validation_failed", `Fill in the form first: ${missing.join(", ")}.`, {
            missing,
          });
        }
      }
      const files = req.body.fileIds.length
        ? await ctx.db.query<{ id: string; name: string; mime_type: string; size: number }>(
            "select id, name, mime_type, size from files where id = any($1::uuid[]) and workspace_id = $2 and source_url = $3",
            [req.body.fileIds, visitor.workspaceId, `widget:${visitor.id}`],
          )
        : [];
      if (files.length !== req.body.fileIds.length) throw notFound("File");
      const providerMessageId = providerIdFor(visitor, req.body.clientId);
      const event: InboundEvent = {
        kind: "message",
        providerMessageId,
        externalContactId: visitor.externalId,
        contact: visitor.contact,
        text,
        attachments: req.body.fileIds.map((id) => {
          const f = files.find((x) => x.id === id)!;
          return { name: f.name, mimeType: f.mime_type, size: Number(f.size), url: `/api/files/${f.id}` };
        }),
        at: ctx.clock.now(),
        source: visitor.source,
      };
      const [outcome] = await ctx.ingest.submit(
        { id: visitor.connectionId, workspaceId: visitor.workspaceId, type: "widget" },
        [event],
      );
      if (outcome?.kind === "message" && outcome.status === "contact_blocked") {
        throw new AppError("forbidden", "This chat is not available to you.");
      }
      const [row] = await ctx.db.query<MessageRow>(
        `select ${MESSAGE_COLUMNS} from messages where connection_id = $1 and provider_message_id = $2`,
        [visitor.connectionId, providerMessageId],
      );
      if (!row) throw new AppError("internal", "The message was not stored; send it again.");
      if (!conversationId) {
        const joined = hub.follow(visitor.connectionId, visitor.externalId, row.conversation_id);
        if (joined.length) {
          const missed = await visitorMessages(ctx, row.conversation_id, 0);
          for (const s of joined) s.push({ type: "messages", messages: missed });
        }
      }
      return {
        conversationId: row.conversation_id,
        message: presentForVisitor(ctx, {
          id: row.id,
          seq: row.seq,
          direction: row.direction,
          text: row.text,
          attachments: row.attachments,
          providerMessageId: row.provider_message_id,
          createdAt: row.created_at,
        }),
      };
    },
  );

  app.post(
    "/api/widget/uploads",
    {
      bodyLimit: Math.ceil((WIDGET_CAPABILITIES.attachments!.maxBytes * 4) / 3) + 4096,
      config: {
        auth: false,
        rateLimit: { max: 20, timeWindow: "1 minute", keyGenerator: (req) => `widget-upload|${req.ip}` },
      },
      schema: {
        tags,
        summary: "The visitor uploads a file (base64) within the connection's limit; send it with fileIds",
        body: z.object({
          name: z.string().trim().min(1).max(200),
          mimeType: z
            .string()
            .max(255)
            .regex(/^[\w.+-]+\/[\w.+-]+$/, "A MIME type, e.g. image/png"),
          data: z.string().max(Math.ceil((WIDGET_CAPABILITIES.attachments!.maxBytes * 4) / 3) + 4),
        }),
      },
    },
    async (req, reply) => {
      const visitor = await visitorByToken(ctx.db, bearer(req));
      checkOrigin(req, visitor.settings);
      const data = Buffer.from(req.body.data, "base64");
      const problem = fileProblem(
        { name: req.body.name, size: data.length, image: isPreviewImage(req.body.mimeType) },
        { maxBytes: visitor.settings.maxFileBytes, maxPerMessage: 10 },
      );
      if (problem) {
        throw new AppError(
          problem.code === "too_large" ? "payload_too_large" : "unsupported_media_type",
          attachmentProblemText(problem),
          problem,
        );
      }
      const attachment = await storeBuffer(ctx.db, ctx.blobs, visitor.workspaceId, {
        name: req.body.name,
        mimeType: req.body.mimeType,
        data,
        sourceUrl: `widget:${visitor.id}`,
        maxBytes: visitor.settings.maxFileBytes,
      });
      if (attachment.error) throw new AppError("unavailable", attachment.error);
      return reply.code(201).send({ fileId: attachment.url.split("/").at(-1)!, attachment });
    },
  );

  // ---- visitor socket ------------------------------------------------------------------------------

  app.get(
    "/api/widget/socket",
    {
      websocket: true,
      config: { auth: false },
      schema: {
        tags,
        summary:
          "The visitor's WebSocket: replies, agents' read progress and typing; resume with ?after=<seq>",
        querystring: z.object({
          token: z.string().max(200),
          after: z.coerce.number().int().nonnegative().default(0),
        }),
      },
      preValidation: async (req) => {
        const q = req.query as { token?: string };
        const visitor = await visitorByToken(ctx.db, q.token);
        checkOrigin(req, visitor.settings);
        (req as FastifyRequest & { visitor?: Visitor }).visitor = visitor;
      },
    },
    async (socket, req) => {
      const visitor = (req as FastifyRequest & { visitor?: Visitor }).visitor!;
      let after = (req.query as { after: number }).after;
      const send = (frame: WidgetServerFrame) => {
        if (socket.readyState === 1) socket.send(JSON.stringify(frame));
      };
      const session: VisitorSession = {
        visitor,
        conversationId: null,
        readUpTo: 0,
        push: (frame) => {
          if (frame.type === "messages") {
            const fresh = frame.messages.filter((m) => m.seq > after);
            if (!fresh.length) return;
            after = Math.max(after, ...fresh.map((m) => m.seq));
            send({ type: "messages", messages: fresh });
          } else send(frame);
        },
        close: (code, reason) => socket.close(code, reason),
      };
      let alive = true;
      socket.on("pong", () => {
        alive = true;
      });
      const heartbeat = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
        touchVisitor(ctx, visitor.id).catch(() => {});
      }, HEARTBEAT_MS);
      socket.on("close", () => {
        clearInterval(heartbeat);
        hub.remove(session);
        touchVisitor(ctx, visitor.id).catch(() => {});
      });

      /** Registers for live events first, then sends what was missed: a message in between comes once. */
      const sync = async () => {
        const conversationId = await visitorConversation(ctx.db, visitor);
        if (conversationId) hub.watch(session, conversationId);
        return conversationId;
      };
      hub.add(session);
      await touchVisitor(ctx, visitor.id);
      const conversationId = await sync();
      session.readUpTo = conversationId ? await agentsReadUpTo(ctx.db, visitor, conversationId) : 0;
      send({ type: "hello", conversationId, readUpTo: session.readUpTo });
      if (conversationId) {
        session.push({ type: "messages", messages: await visitorMessages(ctx, conversationId, after, 1000) });
      }

      let lastTyping = 0;
      socket.on("message", (data: Buffer) => {
        void handle(data).catch((err) => req.log.warn({ err }, "widget frame failed"));
      });
      const Frame = z.discriminatedUnion("type", [
        z.object({ type: z.literal("typing"), on: z.boolean() }),
        z.object({ type: z.literal("received"), upTo: z.number().int().nonnegative() }),
        z.object({ type: z.literal("seen"), upTo: z.number().int().nonnegative() }),
        z.object({ type: z.literal("sync"), after: z.number().int().nonnegative() }),
        z.object({ type: z.literal("ping") }),
      ]);
      /**
       * Receipts: the agent messages up to this position reached the widget / were seen in it. They go through
       * the ingest queue as status reports (by the message's own id, which `send` answers as the provider
       * id). A message still being sent is acknowledged once it is recorded as sent, a moment later.
       */
      async function acknowledge(state: "delivered" | "read", upTo: number, attempt: number) {
        const convId = session.conversationId;
        if (!convId) return;
        const rows = await ctx.db.query<{ id: string; delivery_state: string }>(
          `select id, delivery_state from messages where conversation_id = $1 and seq <= $2
             and direction = 'outbound' and kind = 'message' and delivery_state = any($3::text[])
           order by seq limit 500`,
          [convId, upTo, state === "delivered" ? ["queued", "sent"] : ["queued", "sent", "delivered"]],
        );
        const ready = rows.filter((r) => r.delivery_state !== "queued");
        if (ready.length) {
          const at = ctx.clock.now();
          await ctx.ingest.submit(
            { id: visitor.connectionId, workspaceId: visitor.workspaceId, type: "widget" },
            ready.map((r) => ({ kind: "status" as const, providerMessageId: r.id, state, at })),
          );
        }
        if (ready.length < rows.length && attempt < 40 && socket.readyState === 1) {
          setTimeout(() => {
            acknowledge(state, upTo, attempt + 1).catch((err) =>
              req.log.warn({ err }, "widget receipt failed"),
            );
          }, 250);
        }
      }

      async function handle(data: Buffer) {
        let json: unknown;
        try {
          json = JSON.parse(data.toString("utf8"));
        } catch {
          return send({ type: "error", code: "invalid_json", message: "Frames must be JSON." });
        }
        const parsed = Frame.safeParse(json);
        if (!parsed.success) {
          return send({ type: "error", code: "validation_failed", message: "Unknown or malformed frame." });
        }
        const f = parsed.data;
        if (f.type === "ping") {
          await touchVisitor(ctx, visitor.id);
          return send({ type: "pong" });
        }
        if (f.type === "sync") {
          const id = await sync();
          if (id) session.push({ type: "messages", messages: await visitorMessages(ctx, id, f.after, 1000) });
          return;
        }
        const convId = session.conversationId;
        if (!convId) return;
        if (f.type === "typing") {
          // At most one "typing" every second per visitor: the agents' sockets are not flooded.
          const now = Date.now();
          if (f.on && now - lastTyping < 1000) return;
          lastTyping = f.on ? now : 0;
          const conv = await loadConversationRow(ctx.db, visitor.workspaceId, convId);
          if (!conv) return;
          ctx.bus.signal({
            workspaceId: visitor.workspaceId,
            audience: { conversation: accessOf(conv) },
            signal: { type: "typing", conversationId: convId, userId: null, contact: true, on: f.on },
          });
          return;
        }
        await acknowledge(f.type === "received" ? "delivered" : "read", f.upTo, 0);
      }
    },
  );

  return hub;
}
