import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { App } from "../../http/types";
import { AppError, notFound } from "../../lib/errors";
import { WIDGET_DIST } from "../../paths";
import { selfOrigin } from "./access";
import { widgetConnection } from "./queries/widget-connection";

/** The built widget (apps/widget/dist), made by apps/widget/scripts/build.mjs. */
export { WIDGET_DIST };

const STATIC: Record<string, string> = {
  "loader.js": "text/javascript; charset=utf-8",
  "frame.js": "text/javascript; charset=utf-8",
  "frame.css": "text/css; charset=utf-8",
};
const FRAME_HTML = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Chat</title><link rel="stylesheet" href="/widget/frame.css"></head><body><div id="parley-widget"></div><script src="/widget/frame.js"></script></body></html>`;

/** The widget's files (any site loads them) and the frame page (only the allowed sites may frame it). */
export async function widgetFileRoutes(app: App, ctx: AppContext) {
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
      const conn = await widgetConnection(ctx.db, req.query.connection);
      const ancestors = conn.settings.allowedOrigins.length
        ? conn.settings.allowedOrigins.join(" ")
        : "'none'";
      const ws = selfOrigin(ctx).replace(/^http/, "ws");
      return reply
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .header(
          "content-security-policy",
          // Only the allowed sites may frame the chat; the frame runs only Parley's own files.
          `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' ${ws}; frame-ancestors ${ancestors}; base-uri 'none'; form-action 'none'`,
        )
        .header("referrer-policy", "no-referrer")
        .send(FRAME_HTML);
    },
  );
}
