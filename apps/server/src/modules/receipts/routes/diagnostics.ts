import { Message } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { mustHold } from "../../../domain/permissions";
import { type App, actorOf } from "../../../http/types";
import { sendDiagnosticTest } from "../commands/send-test-message";
import { connectionDiagnostics, DiagnosticsOut } from "../diagnostics";
import { mustExist } from "../queries/exists";
import { IdParams, tags } from "../schema";
import { TestLanguage } from "../test-text";

/** A connection's receipt health and a test message through it (R308; admins). */
export function diagnosticsRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/connections/:id/diagnostics",
    {
      schema: {
        tags,
        summary: "A connection's receipt health for troubleshooting (admins)",
        params: IdParams,
        response: { 200: DiagnosticsOut },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      await mustExist(ctx.db, "Connection", actor.workspaceId, req.params.id);
      mustHold(actor, "channels.manage");
      return connectionDiagnostics(ctx, actor, req.params.id);
    },
  );

  app.post(
    "/api/connections/:id/test-message",
    {
      schema: {
        tags,
        summary:
          "Send a labelled test message through the connection to a test contact: the admin's own address or a sandbox, never a customer (admins)",
        params: IdParams,
        body: z.object({
          to: z
            .string()
            .trim()
            .min(1, "Enter the address to send the test to: your own number or the channel's sandbox.")
            .max(200),
          language: TestLanguage.optional(),
        }),
        response: {
          201: z.object({ message: Message, conversationId: z.string(), language: TestLanguage }),
        },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      await mustExist(ctx.db, "Connection", actor.workspaceId, req.params.id);
      mustHold(actor, "channels.manage");
      return reply.status(201).send(await sendDiagnosticTest(ctx, actor, req.params.id, req.body));
    },
  );
}
