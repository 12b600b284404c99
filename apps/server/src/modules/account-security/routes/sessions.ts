import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, actorOf, requestSource, sessionActorOf } from "../../../http/types";
import { notFound } from "../../../lib/errors";
import { loadUserRow } from "../../users/queries/users";
import { endPersonSessions, endSessionsOf } from "../commands/end-sessions";
import { assertManages } from "../commands/password-reset";
import { listSessions, presentSession } from "../queries/sessions";
import { SessionOut } from "../schema";

const Sessions = z.object({ sessions: z.array(SessionOut) });
const Ended = z.object({ ended: z.number().int() });
const tags = ["users"];

/** My sessions, and a person's sessions for admins: seen and ended one by one or all at once. */
export function sessionListRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/me/sessions",
    { schema: { tags, summary: "My signed-in devices", response: { 200: Sessions } } },
    async (req) => {
      const actor = sessionActorOf(req);
      const rows = await listSessions(ctx.db, actor.workspaceId, actor.userId, ctx.clock.now());
      return { sessions: rows.map((s) => presentSession(s, actor.sessionId)) };
    },
  );

  app.delete(
    "/api/me/sessions/:sessionId",
    {
      schema: {
        tags,
        summary: "Sign out one of my devices",
        params: z.object({ sessionId: z.uuid() }),
        response: { 200: Ended },
      },
    },
    async (req) => {
      const actor = sessionActorOf(req);
      const which = { session: req.params.sessionId };
      return { ended: await endPersonSessions(ctx, actor, actor.userId, which, requestSource(req)) };
    },
  );

  app.post(
    "/api/me/sessions/end-others",
    { schema: { tags, summary: "Sign out all my other devices", response: { 200: Ended } } },
    async (req) => {
      const actor = sessionActorOf(req);
      const which = { allBut: actor.sessionId };
      return { ended: await endPersonSessions(ctx, actor, actor.userId, which, requestSource(req)) };
    },
  );

  app.get(
    "/api/users/:id/sessions",
    {
      schema: {
        tags,
        summary: "A person's signed-in devices (people.manage)",
        params: z.object({ id: z.uuid() }),
        response: { 200: Sessions },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const target = await loadUserRow(ctx.db, actor.workspaceId, req.params.id);
      if (!target) throw notFound("User");
      assertManages(actor, target);
      const rows = await listSessions(ctx.db, actor.workspaceId, target.id, ctx.clock.now());
      return { sessions: rows.map((s) => presentSession(s, actor.sessionId ?? null)) };
    },
  );

  app.delete(
    "/api/users/:id/sessions/:sessionId",
    {
      schema: {
        tags,
        summary: "Sign a person out of one device (people.manage)",
        params: z.object({ id: z.uuid(), sessionId: z.uuid() }),
        response: { 200: Ended },
      },
    },
    async (req) => {
      const { id, sessionId } = req.params;
      const which = { session: sessionId };
      return { ended: await endSessionsOf(ctx, actorOf(req), id, which, requestSource(req)) };
    },
  );

  app.delete(
    "/api/users/:id/sessions",
    {
      schema: {
        tags,
        summary: "Sign a person out everywhere (people.manage)",
        params: z.object({ id: z.uuid() }),
        response: { 200: Ended },
      },
    },
    async (req) => ({
      ended: await endSessionsOf(ctx, actorOf(req), req.params.id, "all", requestSource(req)),
    }),
  );
}
