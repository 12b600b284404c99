import type { WidgetSettings } from "@parley/protocol";
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../../context";
import { AppError } from "../../lib/errors";

/** The visitor token a request carries (`Authorization: Bearer …`). */
export const bearer = (req: FastifyRequest) => {
  const h = req.headers.authorization;
  return typeof h === "string" && h.startsWith("Bearer ") ? h.slice(7) : null;
};

/** Parley's own origin (the frame page is served from it). */
export const selfOrigin = (ctx: AppContext) => new URL(ctx.config.publicUrl).origin;

/** The message a site not on the widget's list gets. */
export const originRefused = (origin: string) =>
  new AppError(
    "forbidden",
    `The site ${origin} may not use this chat: add it to the widget's allowed origins in Parley.`,
  );

/** Browsers send Origin on these requests: only Parley's own frame or an allowed site may call. */
export function checkOrigin(ctx: AppContext, req: FastifyRequest, settings: WidgetSettings) {
  const origin = req.headers.origin;
  if (!origin || origin === selfOrigin(ctx) || settings.allowedOrigins.includes(origin)) return;
  throw originRefused(origin);
}
