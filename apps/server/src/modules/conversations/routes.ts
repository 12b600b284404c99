import { Attachment, Conversation, ConversationStatus, LIMITS, Message, ReadCursor } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { transact } from "../../context";
import { type App, actorOf } from "../../http/types";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { sendMessage } from "../messages/send-message";
import { conversationForActor } from "./access";
import { addOperator, assignConversation, leaveConversation } from "./assign";
import { changeStatus } from "./change-status";
import { deleteConversation } from "./delete";
import { ListQuery, listConversations, unreadConversationCount } from "./list";
import { presentConversation } from "./present";
import { listCursors, markRead, markUnread } from "./read-state";
import { conversationWindow, presentWindow } from "./window";

const IdParams = z.object({ id: z.uuid() });
const tags = ["conversations"];

export async function conversationRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/conversations",
    {
      schema: {
        tags,
        summary: "The inbox: conversations the caller may see, newest activity first, cursor-paginated",
        querystring: ListQuery,
        response: {
          200: z.object({ conversations: z.array(Conversation), nextCursor: z.string().nullable() }),
        },
      },
    },
    async (req) => listConversations(ctx.db, actorOf(req), req.query),
  );

  app.get(
    "/api/conversations/unread-count",
    {
      schema: {
        tags,
        summary: "How many conversations have unread customer messages for me",
        response: { 200: z.object({ count: z.number() }) },
      },
    },
    async (req) => ({ count: await unreadConversationCount(ctx.db, actorOf(req)) }),
  );

  app.get(
    "/api/conversations/:id",
    {
      schema: {
        tags,
        summary: "One conversation, with what the caller may do with it",
        params: IdParams,
        response: { 200: z.object({ conversation: Conversation }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const { row, policy } = await conversationForActor(ctx.db, actor, req.params.id);
      const [extra] = await ctx.db.query<{
        unread_count: number;
        marked_unread: boolean | null;
        draft: string | null;
      }>(
        `select (select count(*) from messages m where m.conversation_id = $1 and m.direction = 'inbound'
                  and m.seq > coalesce(rc.last_read_seq, 0)) as unread_count,
                rc.marked_unread, (select text from drafts where conversation_id = $1 and user_id = $2) as draft
         from (select 1) one left join read_cursors rc on rc.conversation_id = $1 and rc.user_id = $2`,
        [row.id, actor.userId],
      );
      const window = presentWindow(await conversationWindow(ctx.db, row.id, ctx.clock.now()));
      return { conversation: { ...presentConversation({ ...row, ...extra! }, policy), window } };
    },
  );

  app.get(
    "/api/conversations/:id/messages",
    {
      schema: {
        tags,
        summary: "A page of the feed: the latest messages, or those before/after a message's seq",
        params: IdParams,
        querystring: z
          .object({
            before: z.coerce.number().int().positive().optional(),
            after: z.coerce.number().int().nonnegative().optional(),
            limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
          })
          .refine(
            (q) => q.before === undefined || q.after === undefined,
            "Use either before or after, not both.",
          ),
        response: { 200: z.object({ messages: z.array(Message), hasMore: z.boolean() }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      await conversationForActor(ctx.db, actor, req.params.id);
      const { before, after, limit } = req.query;
      const ascending = after !== undefined;
      const rows = await ctx.db.query<MessageRow>(
        `select ${MESSAGE_COLUMNS} from messages where conversation_id = $1
           ${before !== undefined ? "and seq < $3" : ""} ${ascending ? "and seq > $3" : ""}
         order by seq ${ascending ? "asc" : "desc"} limit $2`,
        before !== undefined || ascending
          ? [req.params.id, limit + 1, before ?? after]
          : [req.params.id, limit + 1],
      );
      const page = rows.slice(0, limit);
      if (!ascending) page.reverse();
      return { messages: page.map(presentMessage), hasMore: rows.length > limit };
    },
  );

  const SendBody = z.object({
    text: z.string().max(LIMITS.messageTextChars).nullish(),
    attachments: z.array(Attachment).max(10).default([]),
    quotedMessageId: z.uuid().nullish(),
    clientId: z.string().min(1).max(100).nullish(),
  });

  app.post(
    "/api/conversations/:id/messages",
    {
      schema: {
        tags,
        summary: "Send a reply: stored as queued and handed to the channel by a durable job",
        params: IdParams,
        body: SendBody,
        response: { 201: z.object({ message: Message }), 200: z.object({ message: Message }) },
      },
    },
    async (req, reply) => {
      const r = await sendMessage(ctx, actorOf(req), {
        conversationId: req.params.id,
        text: req.body.text ?? null,
        attachments: req.body.attachments,
        quotedMessageId: req.body.quotedMessageId ?? null,
        clientId: req.body.clientId ?? null,
        note: false,
      });
      return reply.code(r.duplicate ? 200 : 201).send({ message: r.message });
    },
  );

  app.post(
    "/api/conversations/:id/notes",
    {
      schema: {
        tags,
        summary: "Add an internal note (only agents see it)",
        params: IdParams,
        body: SendBody.extend({ text: z.string().trim().min(1).max(LIMITS.noteTextChars) }),
        response: { 201: z.object({ message: Message }), 200: z.object({ message: Message }) },
      },
    },
    async (req, reply) => {
      const r = await sendMessage(ctx, actorOf(req), {
        conversationId: req.params.id,
        text: req.body.text,
        attachments: req.body.attachments,
        quotedMessageId: req.body.quotedMessageId ?? null,
        clientId: req.body.clientId ?? null,
        note: true,
      });
      return reply.code(r.duplicate ? 200 : 201).send({ message: r.message });
    },
  );

  app.post(
    "/api/conversations/:id/status",
    {
      schema: {
        tags,
        summary: "Open, take in progress or close",
        params: IdParams,
        body: z.object({ status: ConversationStatus }),
        response: { 200: z.object({ conversation: Conversation }) },
      },
    },
    async (req) => ({ conversation: await changeStatus(ctx, actorOf(req), req.params.id, req.body.status) }),
  );

  app.post(
    "/api/conversations/:id/assign",
    {
      schema: {
        tags,
        summary: "Assign or reassign the responsible agent (null: back to the queue) and optionally the team",
        params: IdParams,
        body: z.object({ assigneeId: z.uuid().nullable(), teamId: z.uuid().nullable().optional() }),
        response: { 200: z.object({ conversation: Conversation }) },
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
        response: { 200: z.object({ conversation: Conversation }) },
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
        response: { 200: z.object({ conversation: Conversation }) },
      },
    },
    async (req) => ({ conversation: await leaveConversation(ctx, actorOf(req), req.params.id) }),
  );

  app.post(
    "/api/conversations/:id/read",
    {
      schema: {
        tags,
        summary: "Mark read for me, up to a message or to the end",
        params: IdParams,
        body: z.object({ upToMessageId: z.uuid().nullish() }).default({}),
        response: { 200: z.object({ cursor: ReadCursor }) },
      },
    },
    async (req) => ({
      cursor: await markRead(ctx, actorOf(req), req.params.id, req.body.upToMessageId ?? null),
    }),
  );

  app.post(
    "/api/conversations/:id/unread",
    {
      schema: {
        tags,
        summary: "Mark unread for me only",
        params: IdParams,
        response: { 200: z.object({ cursor: ReadCursor }) },
      },
    },
    async (req) => ({ cursor: await markUnread(ctx, actorOf(req), req.params.id) }),
  );

  app.get(
    "/api/conversations/:id/read-cursors",
    {
      schema: {
        tags,
        summary: "Who has read this conversation up to where (seen by)",
        params: IdParams,
        response: { 200: z.object({ cursors: z.array(ReadCursor) }) },
      },
    },
    async (req) => ({ cursors: await listCursors(ctx, actorOf(req), req.params.id) }),
  );

  const Draft = z.object({ text: z.string(), updatedAt: z.string() });
  app.get(
    "/api/conversations/:id/draft",
    {
      schema: {
        tags: ["drafts"],
        summary: "My draft reply",
        params: IdParams,
        response: { 200: z.object({ draft: Draft.nullable() }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      await conversationForActor(ctx.db, actor, req.params.id);
      const [d] = await ctx.db.query<{ text: string; updated_at: Date }>(
        "select text, updated_at from drafts where conversation_id = $1 and user_id = $2",
        [req.params.id, actor.userId],
      );
      return { draft: d ? { text: d.text, updatedAt: d.updated_at.toISOString() } : null };
    },
  );

  app.put(
    "/api/conversations/:id/draft",
    {
      schema: {
        tags: ["drafts"],
        summary: "Save my draft reply (an empty text deletes it)",
        params: IdParams,
        body: z.object({ text: z.string().max(LIMITS.messageTextChars) }),
        response: { 200: z.object({ draft: Draft.nullable() }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return transact(ctx, async (tx) => {
        await conversationForActor(tx.q, actor, req.params.id);
        if (!req.body.text.trim()) {
          await tx.q.query("delete from drafts where conversation_id = $1 and user_id = $2", [
            req.params.id,
            actor.userId,
          ]);
          return { draft: null };
        }
        await tx.q.query(
          `insert into drafts (workspace_id, conversation_id, user_id, text, updated_at) values ($1, $2, $3, $4, $5)
           on conflict (conversation_id, user_id) do update set text = excluded.text, updated_at = excluded.updated_at`,
          [actor.workspaceId, req.params.id, actor.userId, req.body.text, tx.now],
        );
        return { draft: { text: req.body.text, updatedAt: tx.now.toISOString() } };
      });
    },
  );

  app.delete(
    "/api/conversations/:id/draft",
    { schema: { tags: ["drafts"], summary: "Discard my draft", params: IdParams } },
    async (req, reply) => {
      const actor = actorOf(req);
      await conversationForActor(ctx.db, actor, req.params.id);
      await ctx.db.query("delete from drafts where conversation_id = $1 and user_id = $2", [
        req.params.id,
        actor.userId,
      ]);
      return reply.code(204).send();
    },
  );

  app.delete(
    "/api/conversations/:id",
    { schema: { tags, summary: "Delete a conversation and its messages (admins)", params: IdParams } },
    async (req, reply) => {
      await deleteConversation(ctx, actorOf(req), req.params.id, req.ip);
      return reply.code(204).send();
    },
  );
}
