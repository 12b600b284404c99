import type { FastifyRequest } from "fastify";
import type { AppContext } from "../../context";
import type { App } from "../../http/types";
import { bearer, checkOrigin, originRefused } from "./access";
import { recordVisitorConsent } from "./commands/record-visitor-consent";
import { sendVisitorMessage } from "./commands/send-visitor-message";
import { startVisitorSession } from "./commands/start-session";
import { uploadVisitorFile } from "./commands/upload-visitor-file";
import type { WidgetHub } from "./hub";
import { visitorFeed } from "./queries/visitor-feed";
import { widgetConnection } from "./queries/widget-connection";
import { WindowLimiter } from "./rate-limit";
import {
  ConsentBody,
  MessageBody,
  MessagesQuery,
  SessionBody,
  UPLOAD_BASE64_MAX,
  UploadBody,
} from "./schema";
import { widgetFileRoutes } from "./static-files";
import { visitorByToken } from "./visitors";

const tags = ["web chat widget"];

/**
 * The visitor API of the website chat widget (no agent session): a session per browser token, the
 * visitor's messages and uploads. Also serves the widget's files and the frame page. The visitor's socket
 * (`socket.ts`) belongs to the realtime role; `hub` holds this process's visitor sockets.
 */
export async function widgetRoutes(app: App, ctx: AppContext, hub: WidgetHub) {
  const perIp = new WindowLimiter(ctx.limits, "widget-ip", 120, 60_000, ctx.clock);

  /** The visitor of the request's token, calling from an allowed site. */
  const visitorOf = async (req: FastifyRequest) => {
    const visitor = await visitorByToken(ctx.db, bearer(req));
    checkOrigin(ctx, req, visitor.settings);
    return visitor;
  };

  await widgetFileRoutes(app, ctx);

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
        body: SessionBody,
      },
    },
    async (req) => {
      const conn = await widgetConnection(ctx.db, req.body.connection);
      checkOrigin(ctx, req, conn.settings);
      const { origin } = req.body.page;
      if (!conn.settings.allowedOrigins.includes(origin)) throw originRefused(origin);
      return startVisitorSession(ctx, conn, req.body, String(req.headers["user-agent"] ?? ""));
    },
  );

  app.get(
    "/api/widget/messages",
    {
      config: { auth: false },
      schema: {
        tags,
        summary: "The visitor's messages after a feed position (Bearer visitor token)",
        querystring: MessagesQuery,
      },
    },
    async (req) => visitorFeed(ctx, await visitorOf(req), req.query.after),
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
        body: MessageBody,
      },
    },
    async (req) => {
      await perIp.take(req.ip);
      return sendVisitorMessage(ctx, hub, await visitorOf(req), req.body);
    },
  );

  app.put(
    "/api/widget/consent",
    {
      config: {
        auth: false,
        rateLimit: { max: 20, timeWindow: "1 minute", keyGenerator: (req) => `widget-consent|${req.ip}` },
      },
      schema: {
        tags,
        summary: "The visitor answers whether agents may see when they read replies (R307, consent mode)",
        body: ConsentBody,
      },
    },
    async (req) => recordVisitorConsent(ctx, await visitorOf(req), req.body.granted),
  );

  app.post(
    "/api/widget/uploads",
    {
      bodyLimit: UPLOAD_BASE64_MAX + 4096,
      config: {
        auth: false,
        rateLimit: { max: 20, timeWindow: "1 minute", keyGenerator: (req) => `widget-upload|${req.ip}` },
      },
      schema: {
        tags,
        summary: "The visitor uploads a file (base64) within the connection's limit; send it with fileIds",
        body: UploadBody,
      },
    },
    async (req, reply) => reply.code(201).send(await uploadVisitorFile(ctx, await visitorOf(req), req.body)),
  );
}
