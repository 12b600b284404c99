import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { addTeamMember, createTeam, deleteTeam, removeTeamMember } from "./commands/teams";
import { listTeams } from "./queries/teams";

const Team = z.object({ id: z.string(), name: z.string(), memberIds: z.array(z.string()) });
const IdParams = z.object({ id: z.uuid() });
const tags = ["teams"];

export async function teamRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/teams",
    {
      schema: {
        tags,
        summary: "Teams and their members",
        response: { 200: z.object({ teams: z.array(Team) }) },
      },
    },
    async (req) => ({ teams: await listTeams(ctx.db, actorOf(req).workspaceId) }),
  );

  app.post(
    "/api/teams",
    {
      schema: {
        tags,
        summary: "Create a team (admins)",
        body: z.object({ name: z.string().trim().min(1).max(120) }),
        response: { 201: z.object({ team: Team }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      mustHold(actor, "people.manage");
      return reply.code(201).send({ team: await createTeam(ctx, actor.workspaceId, req.body.name) });
    },
  );

  app.put(
    "/api/teams/:id/members/:userId",
    {
      schema: {
        tags,
        summary: "Add a member (admins)",
        params: z.object({ id: z.uuid(), userId: z.uuid() }),
        response: { 200: z.object({ team: Team }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "people.manage");
      return { team: await addTeamMember(ctx, actor.workspaceId, req.params.id, req.params.userId) };
    },
  );

  app.delete(
    "/api/teams/:id/members/:userId",
    {
      schema: {
        tags,
        summary: "Remove a member (admins)",
        params: z.object({ id: z.uuid(), userId: z.uuid() }),
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      mustHold(actor, "people.manage");
      await removeTeamMember(ctx, actor.workspaceId, req.params.id, req.params.userId);
      return reply.code(204).send();
    },
  );

  app.delete(
    "/api/teams/:id",
    { schema: { tags, summary: "Delete a team (admins)", params: IdParams } },
    async (req, reply) => {
      const actor = actorOf(req);
      mustHold(actor, "people.manage");
      await deleteTeam(ctx, actor.workspaceId, req.params.id);
      return reply.code(204).send();
    },
  );
}
