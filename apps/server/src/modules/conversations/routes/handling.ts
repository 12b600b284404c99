import { Conversation, ConversationStatus } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, actorOf, requestSource } from "../../../http/types";
import { addOperator, assignConversation, leaveConversation } from "../assign";
import { changeStatus } from "../change-status";
import { setImportant } from "../commands/set-important";
import { snoozeConversation, unsnoozeConversation } from "../commands/snooze";
import { deleteConversation } from "../delete";
import { IdParams, SnoozeBody, tags } from "../schema";

const Answer = { 200: z.object({ conversation: Conversation }) };

/** Handling a conversation: status, important, snooze, assignment, operators, leaving, deletion (R206–R213). */
export function handlingRoutes(app: App, ctx: AppContext) {
  app.post(
    "/api/conversations/:id/status",
    {
      schema: {
        tags,
        summary: "Open, take in progress or close",
        params: IdParams,
        body: z.object({ status: ConversationStatus }),
        response: Answer,
      },
    },
    async (req) => ({ conversation: await changeStatus(ctx, actorOf(req), req.params.id, req.body.status) }),
  );

  app.put(
    "/api/conversations/:id/important",
    {
      schema: {
        tags,
        summary: "Mark the conversation important (starred) for the team, or not",
        params: IdParams,
        body: z.object({ important: z.boolean() }),
        response: Answer,
      },
    },
    async (req) => ({
      conversation: await setImportant(ctx, actorOf(req), req.params.id, req.body.important),
    }),
  );

  app.put(
    "/api/conversations/:id/snooze",
    {
      schema: {
        tags,
        summary: "Snooze an open conversation until a time or a preset; the customer writing wakes it",
        params: IdParams,
        body: SnoozeBody,
        response: Answer,
      },
    },
    async (req) => ({
      conversation: await snoozeConversation(ctx, actorOf(req), req.params.id, req.body),
    }),
  );

  app.delete(
    "/api/conversations/:id/snooze",
    {
      schema: {
        tags,
        summary: "End the conversation's snooze now",
        params: IdParams,
        response: Answer,
      },
    },
    async (req) => ({ conversation: await unsnoozeConversation(ctx, actorOf(req), req.params.id) }),
  );

  app.post(
    "/api/conversations/:id/assign",
    {
      schema: {
        tags,
        summary: "Assign or reassign the responsible agent (null: back to the queue) and optionally the team",
        params: IdParams,
        body: z.object({ assigneeId: z.uuid().nullable(), teamId: z.uuid().nullable().optional() }),
        response: Answer,
      },
    },
    async (req) => ({ conversation: await assignConversation(ctx, actorOf(req), req.params.id, req.body) }),
  );

  app.post(
    "/api/conversations/:id/operators",
    {
      schema: {
        tags,
        summary: "Add an additional operator",
        params: IdParams,
        body: z.object({ userId: z.uuid() }),
        response: Answer,
      },
    },
    async (req) => ({ conversation: await addOperator(ctx, actorOf(req), req.params.id, req.body.userId) }),
  );

  app.post(
    "/api/conversations/:id/leave",
    {
      schema: {
        tags,
        summary: "Leave: an operator stops being one; the responsible agent hands it back to the queue",
        params: IdParams,
        response: Answer,
      },
    },
    async (req) => ({ conversation: await leaveConversation(ctx, actorOf(req), req.params.id) }),
  );

  app.delete(
    "/api/conversations/:id",
    { schema: { tags, summary: "Delete a conversation and its messages (admins)", params: IdParams } },
    async (req, reply) => {
      await deleteConversation(ctx, actorOf(req), req.params.id, requestSource(req));
      return reply.code(204).send();
    },
  );
}
