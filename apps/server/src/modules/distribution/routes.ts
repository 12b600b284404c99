import { z } from "zod";
import type { AppContext } from "../../context";
import { can, mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { forbidden } from "../../lib/errors";
import { myLanguages, setMyLanguages, updateAgent } from "./commands/update-agent";
import { updateSettings } from "./commands/update-settings";
import { distributionPanel, listSettings } from "./queries/panel";
import {
  AgentBody,
  AgentSettings,
  DistributionSettings,
  MyLanguages,
  Panel,
  ScopeParams,
  SettingsBody,
  UserParams,
} from "./schema";

const tags = ["distribution"];

/** Distribution of new conversations (R701): settings per connection and team, agents' capacity, the panel. */
export async function distributionRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/distribution/settings",
    {
      schema: {
        tags,
        summary: "The distribution settings of every connection and team (automation.manage)",
        response: { 200: z.object({ settings: z.array(DistributionSettings) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "automation.manage");
      return { settings: await listSettings(ctx.db, actor.workspaceId) };
    },
  );

  app.put(
    "/api/distribution/:kind/:id",
    {
      schema: {
        tags,
        summary:
          "Set how a connection's or a team's conversations are distributed: round-robin, least busy or manual (automation.manage)",
        params: ScopeParams,
        body: SettingsBody,
        response: { 200: z.object({ settings: DistributionSettings }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "automation.manage");
      return { settings: await updateSettings(ctx, actor, req.params, req.body) };
    },
  );

  app.put(
    "/api/distribution/agents/:userId",
    {
      schema: {
        tags,
        summary:
          "Set an agent's capacity (overall and per channel type), vacation, languages and contact tags (automation.manage)",
        params: UserParams,
        body: AgentBody,
        response: { 200: AgentSettings },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "automation.manage");
      return updateAgent(ctx, actor, req.params.userId, req.body);
    },
  );

  app.get(
    "/api/distribution/panel",
    {
      schema: {
        tags,
        summary:
          "Who distribution may pick now, each agent's load against capacity, and the queue with waiting times (conversations.view_all or automation.manage)",
        response: { 200: Panel },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!can(actor, "conversations.view_all") && !can(actor, "automation.manage"))
        throw forbidden(
          "The distribution panel is for supervisors: it needs the conversations.view_all permission.",
        );
      return distributionPanel(ctx.db, actor.workspaceId, ctx.clock.now());
    },
  );

  app.get(
    "/api/me/languages",
    {
      schema: {
        tags,
        summary: "The languages I speak: distribution with language matching gives me conversations in them",
        response: { 200: MyLanguages },
      },
    },
    async (req) => ({ languages: await myLanguages(ctx.db, actorOf(req)) }),
  );

  app.put(
    "/api/me/languages",
    {
      schema: {
        tags,
        summary:
          "Set the languages I speak (ISO 639-1 codes, as an admin sets them on the distribution page)",
        body: MyLanguages,
        response: { 200: MyLanguages },
      },
    },
    async (req) => ({
      languages: await setMyLanguages(ctx, actorOf(req), req.body.languages, requestSource(req)),
    }),
  );
}
