import { z } from "zod";
import type { AppContext } from "../../context";
import type { App } from "../../http/types";
import { bearer, checkOrigin } from "../widget/access";
import type { WidgetHub } from "../widget/hub";
import { visitorByToken } from "../widget/visitors";
import { sendOfflineMessage } from "./commands/offline-message";
import { widgetHours } from "./queries/widget-hours";

const tags = ["web chat widget"];

const OfflineBody = z.object({
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8–64 letters, digits, - or _"),
  email: z.email("Enter a valid email address.").max(254).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{5,30}$/, "Enter a phone number: digits, spaces, + ( ) -.")
    .optional(),
  message: z.string().trim().min(1, "Write a message.").max(2000),
});

/** The widget's business-hours calls (Bearer visitor token, from an allowed site). */
export async function widgetHoursRoutes(app: App, ctx: AppContext, hub: WidgetHub) {
  const visitorOf = async (req: Parameters<typeof bearer>[0]) => {
    const visitor = await visitorByToken(ctx.db, bearer(req));
    checkOrigin(ctx, req, visitor.settings);
    return visitor;
  };

  app.get(
    "/api/widget/hours",
    {
      config: { auth: false },
      schema: {
        tags,
        summary: "Whether the team works now and, if not, when the next opening is (Bearer visitor token)",
        response: { 200: z.object({ open: z.boolean(), replyBy: z.string().nullable() }) },
      },
    },
    async (req) => widgetHours(ctx, await visitorOf(req)),
  );

  app.post(
    "/api/widget/offline",
    {
      config: {
        auth: false,
        rateLimit: { max: 10, timeWindow: "1 minute", keyGenerator: (req) => `widget-offline|${req.ip}` },
      },
      schema: {
        tags,
        summary: "The offline form: an email or phone and a message, stored as the visitor's message",
        body: OfflineBody,
        response: { 201: z.object({ conversationId: z.string() }) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await sendOfflineMessage(ctx, hub, await visitorOf(req), req.body)),
  );
}
