import { Message } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, actorOf, requestSource } from "../../../http/types";
import { retryMessage } from "../retry";
import { tags } from "../schema";

/** Sending a failed reply again (R301). */
export function retryRoutes(app: App, ctx: AppContext) {
  app.post(
    "/api/conversations/:id/messages/:messageId/retry",
    {
      schema: {
        tags,
        summary: "Send a failed reply again",
        params: z.object({ id: z.uuid(), messageId: z.uuid() }),
        response: { 200: z.object({ message: Message }) },
      },
    },
    async (req) => ({
      message: await retryMessage(ctx, actorOf(req), req.params.id, req.params.messageId, requestSource(req)),
    }),
  );
}
