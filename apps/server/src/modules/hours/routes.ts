import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { saveAutoReply } from "./commands/save-auto-reply";
import { clearHours, saveHours } from "./commands/save-hours";
import { hoursOverview, listAutoReplies } from "./queries/hours";
import {
  AutoReplyInput,
  AutoReplyView,
  ConnectionParams,
  HoursInput,
  HoursOverview,
  TeamParams,
} from "./schema";

const tags = ["business hours"];

export async function hoursRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/hours",
    {
      schema: {
        tags,
        summary:
          "Business hours of the workspace and of each team (null: uses the workspace's / always open)",
        response: { 200: HoursOverview },
      },
    },
    async (req) => hoursOverview(ctx.db, actorOf(req).workspaceId),
  );

  app.put(
    "/api/hours/workspace",
    {
      schema: {
        tags,
        summary: "Set the workspace's business hours",
        body: HoursInput,
        response: { 200: HoursOverview },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "workspace.manage");
      await saveHours(ctx, actor.workspaceId, null, req.body);
      return hoursOverview(ctx.db, actor.workspaceId);
    },
  );

  app.delete(
    "/api/hours/workspace",
    {
      schema: {
        tags,
        summary: "Remove the workspace's business hours (always open)",
        response: { 200: HoursOverview },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "workspace.manage");
      await clearHours(ctx, actor.workspaceId, null);
      return hoursOverview(ctx.db, actor.workspaceId);
    },
  );

  app.put(
    "/api/hours/teams/:teamId",
    {
      schema: {
        tags,
        summary: "Set a team's own business hours",
        params: TeamParams,
        body: HoursInput,
        response: { 200: HoursOverview },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "workspace.manage");
      await saveHours(ctx, actor.workspaceId, req.params.teamId, req.body);
      return hoursOverview(ctx.db, actor.workspaceId);
    },
  );

  app.delete(
    "/api/hours/teams/:teamId",
    {
      schema: {
        tags,
        summary: "Remove a team's own hours (it uses the workspace's)",
        params: TeamParams,
        response: { 200: HoursOverview },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "workspace.manage");
      await clearHours(ctx, actor.workspaceId, req.params.teamId);
      return hoursOverview(ctx.db, actor.workspaceId);
    },
  );

  app.get(
    "/api/hours/auto-replies",
    {
      schema: {
        tags,
        summary: "The outside-hours automatic reply of each connection",
        response: { 200: z.object({ replies: z.array(AutoReplyView) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "workspace.manage");
      return { replies: await listAutoReplies(ctx.db, actor.workspaceId) };
    },
  );

  app.put(
    "/api/hours/auto-replies/:connectionId",
    {
      schema: {
        tags,
        summary: "Set a connection's outside-hours automatic reply",
        params: ConnectionParams,
        body: AutoReplyInput,
        response: { 200: z.object({ replies: z.array(AutoReplyView) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "workspace.manage");
      await saveAutoReply(ctx, actor.workspaceId, req.params.connectionId, req.body);
      return { replies: await listAutoReplies(ctx.db, actor.workspaceId) };
    },
  );
}
