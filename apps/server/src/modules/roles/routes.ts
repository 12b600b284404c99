import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { createRole } from "./commands/create-role";
import { deleteRole } from "./commands/delete-role";
import { updateRole } from "./commands/update-role";
import { listRoles } from "./queries/list-roles";
import { CreateRoleBody, RoleRef, RoleView, UpdateRoleBody } from "./schema";

const tags = ["roles"];
const Params = z.object({ id: RoleRef });

/** Roles and permissions (R801): the built-in roles' rights, custom roles, all with `people.manage`. */
export async function roleRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/roles",
    {
      schema: {
        tags,
        summary: "The workspace's roles with their permissions and how many people hold each",
        response: { 200: z.object({ roles: z.array(RoleView) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "people.manage");
      return { roles: await listRoles(ctx.db, actor.workspaceId) };
    },
  );

  app.post(
    "/api/roles",
    {
      schema: {
        tags,
        summary: "Create a custom role: a name, a base (supervisor or agent) and its permissions",
        body: CreateRoleBody,
        response: { 201: z.object({ role: RoleView }) },
      },
    },
    async (req, reply) => {
      const role = await createRole(ctx, actorOf(req), req.body, requestSource(req));
      return reply.code(201).send({ role });
    },
  );

  app.patch(
    "/api/roles/:id",
    {
      schema: {
        tags,
        summary: "Change the permissions of supervisors or agents, or a custom role's name and permissions",
        params: Params,
        body: UpdateRoleBody,
        response: { 200: z.object({ role: RoleView }) },
      },
    },
    async (req) => ({
      role: await updateRole(ctx, actorOf(req), req.params.id, req.body, requestSource(req)),
    }),
  );

  app.delete(
    "/api/roles/:id",
    {
      schema: {
        tags,
        summary: "Delete a custom role (409 while people hold it, unless moveTo names their new role)",
        params: Params,
        querystring: z.object({ moveTo: RoleRef.optional() }),
      },
    },
    async (req, reply) => {
      await deleteRole(ctx, actorOf(req), req.params.id, req.query.moveTo, requestSource(req));
      return reply.code(204).send();
    },
  );
}
