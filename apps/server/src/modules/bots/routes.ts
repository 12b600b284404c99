import { Conversation } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import type { BotManager } from "./commands/actor";
import { assignConversationBot } from "./commands/assign-bot";
import { createBot, renewBotCredentials } from "./commands/create-bot";
import { requestHandover } from "./commands/handover";
import { deleteBot, updateBot } from "./commands/update-bot";
import { presentBot } from "./present";
import { listBots } from "./queries/list-bots";
import { botReport } from "./queries/report";
import {
  AssignBotBody,
  Bot,
  BotChange,
  BotCredentials,
  BotReportRow,
  HandoverBody,
  IdParams,
  NewBot,
  ReportQuery,
  tags,
} from "./schema";

const BotSummary = z.object({ id: z.string(), name: z.string(), avatarUrl: z.string().nullable() });
const DAY = 86_400_000;

/** Whoever manages bots (`automation.manage`), with where the request came from. */
function managerOf(req: Parameters<typeof actorOf>[0] & Parameters<typeof requestSource>[0]): BotManager {
  const actor = actorOf(req);
  mustHold(actor, "automation.manage");
  return { workspaceId: actor.workspaceId, userId: actor.userId, ...requestSource(req) };
}

export async function botRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/bots",
    {
      schema: {
        tags,
        summary: "The workspace's bots, names only (the inbox's bot filter and the assign menu)",
        response: { 200: z.object({ bots: z.array(BotSummary) }) },
      },
    },
    async (req) => ({
      bots: (await listBots(ctx.db, actorOf(req).workspaceId)).map((b) => ({
        id: b.id,
        name: b.name,
        avatarUrl: b.avatar_url,
      })),
    }),
  );

  app.get(
    "/api/bots/settings",
    {
      schema: {
        tags,
        summary: "The workspace's bots with their webhook URLs, time limits and keywords (automation.manage)",
        response: { 200: z.object({ bots: z.array(Bot) }) },
      },
    },
    async (req) => ({ bots: (await listBots(ctx.db, managerOf(req).workspaceId)).map(presentBot) }),
  );

  app.post(
    "/api/bots",
    {
      schema: {
        tags,
        summary: "Add a bot (automation.manage); its signing secret and API token are in this answer only",
        body: NewBot,
        response: { 201: BotCredentials },
      },
    },
    async (req, reply) => {
      const r = await createBot(ctx, managerOf(req), req.body);
      return reply.code(201).send({ bot: presentBot(r.row), signingSecret: r.signingSecret, token: r.token });
    },
  );

  app.patch(
    "/api/bots/:id",
    {
      schema: {
        tags,
        summary:
          "Change a bot's name, avatar, webhook URL, time limit or hand-off keywords (automation.manage)",
        params: IdParams,
        body: BotChange,
        response: { 200: z.object({ bot: Bot }) },
      },
    },
    async (req) => ({ bot: presentBot(await updateBot(ctx, managerOf(req), req.params.id, req.body)) }),
  );

  app.delete(
    "/api/bots/:id",
    {
      schema: {
        tags,
        summary: "Remove a bot and its token (automation.manage)",
        params: IdParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteBot(ctx, managerOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/api/bots/:id/credentials",
    {
      schema: {
        tags,
        summary:
          "Issue a new signing secret and API token for a bot; the old token stops (automation.manage)",
        params: IdParams,
        response: { 200: BotCredentials },
      },
    },
    async (req) => {
      const r = await renewBotCredentials(ctx, managerOf(req), req.params.id);
      return { bot: presentBot(r.row), signingSecret: r.signingSecret, token: r.token };
    },
  );

  app.get(
    "/api/bots/report",
    {
      schema: {
        tags,
        summary:
          "Per bot: conversations handled, resolved by the bot (closed while it held them), handed over by reason and the median time to hand-over (reports.view; default the last 30 days)",
        querystring: ReportQuery,
        response: { 200: z.object({ from: z.string(), to: z.string(), bots: z.array(BotReportRow) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "reports.view");
      const to = req.query.to ? new Date(req.query.to) : ctx.clock.now();
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 30 * DAY);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        bots: await botReport(ctx.db, actor.workspaceId, from, to),
      };
    },
  );

  app.put(
    "/api/conversations/:id/bot",
    {
      schema: {
        tags,
        summary: "Hand the conversation to a bot, or (botId null) take it back from its bot",
        params: IdParams,
        body: AssignBotBody,
        response: { 200: z.object({ conversation: Conversation }) },
      },
    },
    async (req) => ({
      conversation: await assignConversationBot(ctx, actorOf(req), req.params.id, req.body.botId),
    }),
  );

  app.post(
    "/api/conversations/:id/handover",
    {
      schema: {
        tags,
        summary:
          "Hand the conversation from its bot to people (a bot's token; or whoever may reassign it); back to distribution",
        params: IdParams,
        body: HandoverBody,
        response: { 200: z.object({ conversation: Conversation }) },
      },
    },
    async (req) => ({
      conversation: await requestHandover(ctx, actorOf(req), req.params.id, req.body?.reason ?? null),
    }),
  );
}
