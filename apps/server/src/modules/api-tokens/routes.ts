import { z } from "zod";
import type { AppContext } from "../../context";
import { can } from "../../domain/permissions";
import { type App, actorOf, type RequestActor, requestSource } from "../../http/types";
import { forbidden } from "../../lib/errors";
import { requireRecentAuth } from "../auth/step-up";
import { createToken } from "./commands/create-token";
import { revokeToken } from "./commands/revoke-token";
import { listTokens } from "./queries/list-tokens";
import { ApiToken, CreateTokenBody, IdParams } from "./schema";

const tags = ["api-tokens"];

const manager = (actor: RequestActor) => {
  if (!can(actor, "api.manage"))
    throw forbidden("Managing API tokens needs the api.manage permission; ask an admin.");
  return actor;
};

/** Workspace API tokens (R806): list, create (the secret is answered once), revoke. */
export async function apiTokenRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/api-tokens",
    {
      schema: {
        tags,
        summary: "The workspace's API tokens, newest first (needs api.manage)",
        response: { 200: z.object({ tokens: z.array(ApiToken) }) },
      },
    },
    async (req) => ({ tokens: await listTokens(ctx.db, manager(actorOf(req)).workspaceId) }),
  );

  app.post(
    "/api/api-tokens",
    {
      schema: {
        tags,
        summary:
          "Create an API token with chosen permissions; its secret is in this answer only (needs api.manage and a recent sign-in)",
        body: CreateTokenBody,
        response: { 201: z.object({ token: ApiToken, secret: z.string() }) },
      },
    },
    async (req, reply) => {
      const actor = manager(actorOf(req));
      await requireRecentAuth(ctx, actor);
      return reply.code(201).send(await createToken(ctx, actor, req.body, requestSource(req)));
    },
  );

  app.post(
    "/api/api-tokens/:id/revoke",
    {
      schema: {
        tags,
        summary: "Revoke an API token: it is refused from the next request on (needs api.manage)",
        params: IdParams,
        response: { 200: z.object({ token: ApiToken }) },
      },
    },
    async (req) => ({
      token: await revokeToken(ctx, manager(actorOf(req)), req.params.id, requestSource(req)),
    }),
  );
}
