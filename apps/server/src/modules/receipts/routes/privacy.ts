import { z } from "zod";
import type { AppContext } from "../../../context";
import { mustHold } from "../../../domain/permissions";
import { type App, actorOf, requestSource } from "../../../http/types";
import { requireRecentAuth } from "../../auth/step-up";
import { eraseContact, exportContact, recordReadTrackingConsent } from "../privacy";
import { mustExist } from "../queries/exists";
import { Consent, IdParams, tags } from "../schema";

/** A contact's privacy (R307): consent to read tracking, export of their data, erasure. */
export function privacyRoutes(app: App, ctx: AppContext) {
  app.put(
    "/api/contacts/:id/read-tracking-consent",
    {
      schema: {
        tags,
        summary: "Record a contact's consent to read tracking (given or withdrawn)",
        params: IdParams,
        body: z.object({ granted: z.boolean(), source: z.string().trim().min(1).max(64).default("agent") }),
        response: { 200: z.object({ consent: Consent }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const consent = await recordReadTrackingConsent(ctx, {
        workspaceId: actor.workspaceId,
        contactId: req.params.id,
        granted: req.body.granted,
        source: req.body.source,
        userId: actor.userId,
        audit: requestSource(req),
      });
      return { consent };
    },
  );

  app.get(
    "/api/contacts/:id/export",
    {
      schema: {
        tags,
        summary: "Everything held about a contact, as JSON (admins; audited)",
        params: IdParams,
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      await mustExist(ctx.db, "Contact", actor.workspaceId, req.params.id);
      mustHold(actor, "contacts.erase");
      await requireRecentAuth(ctx, actor);
      const data = await exportContact(ctx, actor, req.params.id, requestSource(req));
      return reply
        .header("content-disposition", `attachment; filename="parley-contact-${req.params.id}.json"`)
        .header("cache-control", "no-store")
        .send(data);
    },
  );

  app.delete(
    "/api/contacts/:id/data",
    {
      schema: {
        tags,
        summary: "Erase a contact with their conversations and messages (admins; audited)",
        params: IdParams,
        response: {
          200: z.object({ erased: z.object({ conversations: z.number(), messages: z.number() }) }),
        },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      await mustExist(ctx.db, "Contact", actor.workspaceId, req.params.id);
      mustHold(actor, "contacts.erase");
      await requireRecentAuth(ctx, actor);
      return { erased: await eraseContact(ctx, actor, req.params.id, requestSource(req)) };
    },
  );
}
