import { Message } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { mustHold } from "../../../domain/permissions";
import { type App, actorOf } from "../../../http/types";
import { connectionDiagnostics, DiagnosticsOut, sendTestMessage } from "../diagnostics";
import { mustExist } from "../queries/exists";
import { IdParams, tags } from "../schema";

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
        summary: "Send a test message through the connection into one of its conversations (admins)",
        params: IdParams,
        body: z.object({ conversationId: z.uuid(), text: z.string().trim().min(1).max(500) }),
        response: { 201: z.object({ message: Message }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      await mustExist(ctx.db, "Connection", actor.workspaceId, req.params.id);
      mustHold(actor, "channels.manage");
      const { conversationId, text } = req.body;
      const message = await sendTestMessage(ctx, actor, req.params.id, conversationId, text);
      return reply.status(201).send({ message });
    },
  );
}
