import type { Attachment } from "@parley/protocol";
import { type AppContext, transact } from "../../context";
import { type Actor, can } from "../../domain/permissions";
import { AppError, conflict, notFound } from "../../lib/errors";
import { conversationNumberSequence } from "../conversations/numbers";
import { accessOf, loadConversationRow, presentConversation } from "../conversations/present";
import { conversationWindow, windowRefusal } from "../conversations/window";
import { sendMessage } from "../messages/send-message";
import { addSystemEvent } from "../messages/system-event";

/**
 * Writes to a contact found in the search, typically one whose conversation is closed (R501): the
 * conversation reopens and is assigned to the agent who wrote, then the message is sent. A conversation
 * another agent is handling right now is not taken over (409); a supervisor can reassign it instead.
 */
export async function writeToContact(
  ctx: AppContext,
  actor: Actor,
  input: {
    contactId: string;
    connectionId: string | null;
    text: string | null;
    attachments: Attachment[];
    clientId: string | null;
  },
) {
  const [target] = await ctx.db.query<{
    id: string;
    status: string;
    assignee_id: string | null;
    assignee_name: string | null;
  }>(
    `select c.id, c.status, c.assignee_id, u.name as assignee_name
     from conversations c join contacts ct on ct.id = c.contact_id left join users u on u.id = c.assignee_id
     where c.workspace_id = $1 and c.contact_id = $2 and ($3::uuid is null or c.connection_id = $3)
     order by c.last_activity_at desc limit 1`,
    [actor.workspaceId, input.contactId, input.connectionId],
  );
  if (!target) {
    const contact = await ctx.db.query("select 1 from contacts where workspace_id = $1 and id = $2", [
      actor.workspaceId,
      input.contactId,
    ]);
    if (!contact.length) throw notFound("Contact");
    // Known without a conversation (a Viber subscriber who never wrote): the conversation starts now.
    const started = await startConversation(ctx, actor, input.contactId, input.connectionId);
    if (started) {
      const sent = await sendMessage(ctx, actor, {
        conversationId: started,
        text: input.text,
        attachments: input.attachments,
        quotedMessageId: null,
        clientId: input.clientId,
        note: false,
      });
      return { conversationId: started, ...sent };
    }
    throw new AppError(
      "unprocessable",
      input.connectionId
        ? "This contact has no conversation on that channel yet: they have to write to you there first."
        : "This contact has no conversation yet: they have to write to you first.",
    );
  }
  const handledByOther =
    target.status !== "closed" && target.assignee_id !== null && target.assignee_id !== actor.userId;
  if (handledByOther && !can(actor, "conversations.view_all")) {
    throw conflict(
      `${target.assignee_name ?? "Another agent"} is handling this conversation now; ask them or a supervisor.`,
    );
  }
  const window = await conversationWindow(ctx.db, target.id, ctx.clock.now());
  if (!window.allowed) throw windowRefusal(window);

  if (target.status === "closed" || target.assignee_id !== actor.userId) {
    await transact(ctx, async (tx) => {
      const [locked] = await tx.q.query<{ status: string; assignee_id: string | null }>(
        "select status, assignee_id from conversations where id = $1 for update",
        [target.id],
      );
      const before = (await loadConversationRow(tx.q, actor.workspaceId, target.id))!;
      const reopens = locked!.status === "closed";
      const takes = reopens || locked!.assignee_id === null;
      if (!takes) return; // an open conversation of a manager's colleague: the manager just writes
      await tx.q.query(
        `update conversations set status = case when status = 'closed' then 'open' else status end, closed_at = null,
           assignee_id = $2, updated_at = $3 where id = $1`,
        [target.id, actor.userId, tx.now],
      );
      await tx.q.query("delete from conversation_operators where conversation_id = $1 and user_id = $2", [
        target.id,
        actor.userId,
      ]);
      const after = (await loadConversationRow(tx.q, actor.workspaceId, target.id))!;
      const conversation = presentConversation(after);
      const audience = { conversation: { ...accessOf(after), previousAssigneeId: before.assignee_id } };
      const where = {
        workspaceId: actor.workspaceId,
        conversationId: target.id,
        connectionId: after.connection_id,
      };
      if (reopens) {
        await addSystemEvent(
          tx,
          where,
          { kind: "reopened", byUserId: actor.userId, from: "closed", to: "open" },
          audience,
        );
        tx.emit(actor.workspaceId, {
          type: "conversation.status_changed",
          conversationId: target.id,
          conversation,
          previousStatus: "closed",
          byUserId: actor.userId,
          audience,
        });
      }
      if (before.assignee_id !== actor.userId) {
        await addSystemEvent(
          tx,
          where,
          { kind: "assigned", byUserId: actor.userId, from: before.assignee_id, to: actor.userId },
          audience,
        );
        tx.emit(actor.workspaceId, {
          type: "conversation.assigned",
          conversationId: target.id,
          conversation,
          previousAssigneeId: before.assignee_id,
          byUserId: actor.userId,
          audience,
        });
      }
    });
  }
  const sent = await sendMessage(ctx, actor, {
    conversationId: target.id,
    text: input.text,
    attachments: input.attachments,
    quotedMessageId: null,
    clientId: input.clientId,
    note: false,
  });
  return { conversationId: target.id, ...sent };
}

/**
 * Opens a conversation, assigned to the writer, for an identity of the contact that has none yet (one the
 * provider told about without a message: a Viber subscriber). Refused with the window's reason when nothing
 * may be sent to it (then nothing is created). Null when the contact has no such identity.
 */
async function startConversation(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  connectionId: string | null,
): Promise<string | null> {
  return transact(ctx, async (tx) => {
    const [identity] = await tx.q.query<{ id: string; connection_id: string }>(
      `select i.id, i.connection_id from contact_identities i
       join channel_connections cc on cc.id = i.connection_id and cc.enabled
       where i.workspace_id = $1 and i.contact_id = $2 and ($3::uuid is null or i.connection_id = $3)
         and not exists (select 1 from conversations c where c.identity_id = i.id)
       order by i.created_at desc limit 1`,
      [actor.workspaceId, contactId, connectionId],
    );
    if (!identity) return null;
    const [num] = await tx.q.query<{ n: number }>("select nextval($1::regclass) as n", [
      conversationNumberSequence(actor.workspaceId),
    ]);
    const [created] = await tx.q.query<{ id: string }>(
      `insert into conversations (workspace_id, number, connection_id, contact_id, identity_id, assignee_id,
         last_activity_at, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $7, $7) on conflict (identity_id) do nothing returning id`,
      [actor.workspaceId, num!.n, identity.connection_id, contactId, identity.id, actor.userId, tx.now],
    );
    if (!created)
      throw conflict("A conversation with this contact has just started: open it from the inbox.");
    const window = await conversationWindow(tx.q, created.id, tx.now);
    if (!window.allowed) throw windowRefusal(window);
    const row = (await loadConversationRow(tx.q, actor.workspaceId, created.id))!;
    tx.emit(actor.workspaceId, {
      type: "conversation.created",
      conversationId: created.id,
      conversation: presentConversation(row),
      audience: { conversation: accessOf(row) },
    });
    return created.id;
  });
}
