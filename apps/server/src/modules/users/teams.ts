import { z } from "zod";
import type { AppContext } from "../../context";
import { uniqueViolation } from "../../db/errors";
import { isAdmin } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { forbidden, notFound } from "../../lib/errors";

const Team = z.object({ id: z.string(), name: z.string(), memberIds: z.array(z.string()) });
const IdParams = z.object({ id: z.uuid() });
const tags = ["teams"];

export async function teamRoutes(app: App, ctx: AppContext) {
  const load = async (workspaceId: string, id?: string) =>
    ctx.db.query<{ id: string; name: string; member_ids: string[] }>(
      `select t.id, t.name, coalesce((select array_agg(m.user_id::text) from team_members m where m.team_id = t.id), '{}') as member_ids
       from teams t where t.workspace_id = $1 ${id ? "and t.id = $2" : ""} order by lower(t.name)`,
      id ? [workspaceId, id] : [workspaceId],
    );
  const present = (r: { id: string; name: string; member_ids: string[] }) => ({
    id: r.id,
    name: r.name,
    memberIds: r.member_ids,
  });

  app.get(
    "/api/teams",
    {
      schema: {
        tags,
        summary: "Teams and their members",
        response: { 200: z.object({ teams: z.array(Team) }) },
      },
    },
    async (req) => ({
      teams: (await load(actorOf(req).workspaceId)).map(present),
    }),
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
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins manage teams.");
      const [row] = await ctx.db
        .query<{ id: string }>("insert into teams (workspace_id, name) values ($1, $2) returning id", [
          actor.workspaceId,
          req.body.name,
        ])
        .catch(uniqueViolation(`A team named "${req.body.name}" already exists.`));
      const [team] = await load(actor.workspaceId, row!.id);
      return reply.code(201).send({ team: present(team!) });
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
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins manage teams.");
      const [both] = await ctx.db.query<{ t: number | null; u: number | null }>(
        "select (select 1 from teams where id = $2 and workspace_id = $1) as t, (select 1 from users where id = $3 and workspace_id = $1) as u",
        [actor.workspaceId, req.params.id, req.params.userId],
      );
      if (!both?.t) throw notFound("Team");
      if (!both.u) throw notFound("User");
      await ctx.db.query(
        "insert into team_members (team_id, user_id) values ($1, $2) on conflict do nothing",
        [req.params.id, req.params.userId],
      );
      const [team] = await load(actor.workspaceId, req.params.id);
      return { team: present(team!) };
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
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins manage teams.");
      const r = await ctx.db.query(
        "delete from team_members m using teams t where m.team_id = t.id and t.workspace_id = $1 and m.team_id = $2 and m.user_id = $3 returning m.user_id",
        [actor.workspaceId, req.params.id, req.params.userId],
      );
      if (!r.length) throw notFound("Team member");
      return reply.code(204).send();
    },
  );

  app.delete(
    "/api/teams/:id",
    { schema: { tags, summary: "Delete a team (admins)", params: IdParams } },
    async (req, reply) => {
      const actor = actorOf(req);
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins manage teams.");
      const r = await ctx.db.query("delete from teams where workspace_id = $1 and id = $2 returning id", [
        actor.workspaceId,
        req.params.id,
      ]);
      if (!r.length) throw notFound("Team");
      return reply.code(204).send();
    },
  );
}
