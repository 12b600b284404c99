import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { deleteConfig, type Manager, saveConfig } from "./commands/save-config";
import { createRecordNow } from "./job";
import { presentConfig } from "./present";
import { contactRecords, conversationRecords, listConfigs } from "./queries/records";
import { ConfigBody, IdParams, LinkedRecord, LinkedRecordConfig, tags } from "./schema";

function managerOf(req: Parameters<typeof actorOf>[0] & Parameters<typeof requestSource>[0]): Manager {
  const actor = actorOf(req);
  mustHold(actor, "automation.manage");
  return { workspaceId: actor.workspaceId, userId: actor.userId, ...requestSource(req) };
}

/** Linked records (R703): templates per connection or team, and the records of conversations and contacts. */
export async function linkedRecordRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/linked-record-configs",
    {
      schema: {
        tags,
        summary:
          "The workspace's linked-record templates; header values are never answered (automation.manage)",
        response: { 200: z.object({ configs: z.array(LinkedRecordConfig) }) },
      },
    },
    async (req) => ({ configs: (await listConfigs(ctx.db, managerOf(req).workspaceId)).map(presentConfig) }),
  );

  for (const kind of ["connections", "teams"] as const) {
    const scope = (id: string) => (kind === "connections" ? { connectionId: id } : { teamId: id });
    app.put(
      `/api/${kind}/:id/linked-record-config`,
      {
        schema: {
          tags,
          summary: `Set the ${kind === "connections" ? "connection's" : "team's"} template for creating a linked record when a conversation starts (automation.manage)`,
          params: IdParams,
          body: ConfigBody,
          response: { 200: z.object({ config: LinkedRecordConfig }) },
        },
      },
      async (req) => ({
        config: presentConfig(await saveConfig(ctx, managerOf(req), scope(req.params.id), req.body)),
      }),
    );
    app.delete(
      `/api/${kind}/:id/linked-record-config`,
      {
        schema: {
          tags,
          summary: `Remove the ${kind === "connections" ? "connection's" : "team's"} linked-record template (automation.manage)`,
          params: IdParams,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await deleteConfig(ctx, managerOf(req), scope(req.params.id));
        return reply.code(204).send(null);
      },
    );
  }

  app.get(
    "/api/conversations/:id/linked-records",
    {
      schema: {
        tags,
        summary: "The conversation's linked records, and whether its channel or team has a template",
        params: IdParams,
        response: { 200: z.object({ records: z.array(LinkedRecord), configured: z.boolean() }) },
      },
    },
    async (req) => conversationRecords(ctx.db, actorOf(req), req.params.id),
  );

  app.post(
    "/api/conversations/:id/linked-records",
    {
      schema: {
        tags,
        summary:
          "Create the linked record now (a conversation that started before the template, or a failed one)",
        params: IdParams,
        response: { 202: z.object({ record: LinkedRecord }) },
      },
    },
    async (req, reply) =>
      reply.code(202).send({ record: await createRecordNow(ctx, actorOf(req), req.params.id) }),
  );

  app.get(
    "/api/contacts/:id/linked-records",
    {
      schema: {
        tags,
        summary: "The contact's linked records, newest first",
        params: IdParams,
        response: { 200: z.object({ records: z.array(LinkedRecord) }) },
      },
    },
    async (req) => ({ records: await contactRecords(ctx.db, actorOf(req).workspaceId, req.params.id) }),
  );
}
