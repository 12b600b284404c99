import { z } from "zod";
import type { AppContext } from "../../context";
import { type App, actorOf } from "../../http/types";
import { listBots } from "./queries/list-bots";

const Bot = z.object({ id: z.string(), name: z.string() });

export async function botRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/bots",
    {
      schema: {
        tags: ["bots"],
        summary: "The workspace's bots (the inbox offers a bot filter only when there is one)",
        response: { 200: z.object({ bots: z.array(Bot) }) },
      },
    },
    async (req) => ({ bots: await listBots(ctx.db, actorOf(req).workspaceId) }),
  );
}
