import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyReply, FastifyRequest } from "fastify";
import { WEB_DIST } from "../paths";
import type { App } from "./types";

/** Where the agent web app is built (apps/web/dist). */
export { WEB_DIST };

/**
 * Serves the agent web app at `/`: the built files, and `index.html` for every other path outside `/api`
 * (the app's own routes, e.g. `/inbox/<id>`, survive a reload). Hashed assets are cached for a year, the
 * page itself is revalidated every time. Without a build, `/` leads to the API documentation instead.
 */
export async function webAppRoutes(app: App, dist = WEB_DIST): Promise<boolean> {
  if (!fs.existsSync(path.join(dist, "index.html"))) {
    app.get("/", { config: { auth: false }, schema: { hide: true } }, (_req, reply) =>
      reply.redirect("/api/docs"),
    );
    return false;
  }
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root: dist, serve: false });
    const page = (reply: FastifyReply) =>
      reply.header("cache-control", "no-cache").sendFile("index.html", dist, { cacheControl: false });
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      let url: string;
      try {
        url = decodeURIComponent(req.url.split("?")[0] ?? "/");
      } catch {
        return page(reply);
      }
      // Unknown API paths keep the API's JSON 404.
      if (url === "/api" || url.startsWith("/api/")) return reply.callNotFound();
      const file = path.join(dist, path.normalize(url));
      if (
        url !== "/" &&
        file.startsWith(dist + path.sep) &&
        fs.statSync(file, { throwIfNoEntry: false })?.isFile()
      ) {
        const immutable = url.startsWith("/assets/");
        return reply.sendFile(
          path.relative(dist, file),
          dist,
          immutable ? { immutable: true, maxAge: "365d" } : {},
        );
      }
      // A missing asset is a 404, not the page (a stale tab asking for an old bundle).
      if (url.startsWith("/assets/")) return reply.callNotFound();
      return page(reply);
    };
    // A socket upgrade is never the web app's: before the handler (where the socket would already be taken
    // over), it gets the API's 404, so a process without the realtime role refuses agents' sockets plainly.
    const noSockets = async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.headers.upgrade) return reply.callNotFound();
    };
    for (const url of ["/", "/*"])
      scope.get(url, { config: { auth: false }, schema: { hide: true }, onRequest: noSockets }, handler);
  });
  return true;
}
