import type { Attachment, ConversationPermissions } from "@parley/protocol";
import { type AppContext, type Tx, transact } from "../../context";
import { type Actor, can, conversationPolicy, mustHold } from "../../domain/permissions";
import { AppError, conflict, forbidden, notFound } from "../../lib/errors";
import { conversationNumberSequence } from "../conversations/numbers";
import {
  accessOf,
  type ConversationRow,
  loadConversationRow,
  presentConversation,
} from "../conversations/present";
import { conversationWindow, windowRefusal } from "../conversations/window";
import { checkMessageInput, writeMessage } from "../messages/send-message";
import { addSystemEvent } from "../messages/system-event";

/**
 * Writes to a contact found in the search, typically one whose conversation is closed (R501): the
 * conversation reopens and is assigned to the agent who wrote, and the message is sent, in one transaction.
 * Everything the writer needs is checked before anything changes: the reply permission, a message to send,
 * and the conversation policy (see `mayWrite`). A conversation another agent is handling right now is not
 * taken over (409); a supervisor can reassign it instead.
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
  // A bot's token replies only in the bot's own conversations (it never reaches this route).
  if (actor.botId) throw forbidden("A bot writes only in the conversations handed to it.");
  mustHold(actor, "conversations.reply");
  const message = {
    text: input.text,
    attachments: input.attachments,
    quotedMessageId: null,
    clientId: input.clientId,
    note: false,
  };
  const [target] = await ctx.db.query<{ id: string }>(
    `select c.id from conversations c
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
    checkMessageInput(message);
    // Known without a conversation (a Viber subscriber who never wrote): the conversation starts now.
    return transact(ctx, async (tx) => {
      const started = await startConversation(tx, actor, input.contactId, input.connectionId);
      if (!started) {
        throw new AppError(
          "unprocessable",
          input.connectionId
            ? "This contact has no conversation on that channel yet: they have to write to you there first."
            : "This contact has no conversation yet: they have to write to you first.",
        );
      }
      const sent = await writeMessage(tx, ctx, actor, { conversationId: started, ...message });
      return { conversationId: started, ...sent };
    });
  }
  // Checked once the contact is found: another workspace's contact answers 404 whatever the body, as every route does.
  checkMessageInput(message);
  return transact(ctx, async (tx) => {
    await takeToWrite(tx, actor, target.id);
    const sent = await writeMessage(tx, ctx, actor, { conversationId: target.id, ...message });
    return { conversationId: target.id, ...sent };
  });
}

/**
 * Whether the writer may write to the conversation, as the reply, assignment and status commands decide it
 * (`conversationPolicy`): reply to it and, when writing takes it, assign it to themselves and, when it is
 * closed, reopen it. A closed conversation is also theirs to take when it would be if it were back in its
 * team's queue: writing to a past contact takes their closed conversation whoever had it last (R501), but
 * never one of another team's.
 */
function mayWrite(actor: Actor, row: ConversationRow, takes: boolean) {
  const reopens = row.status === "closed";
  const allows = (p: ConversationPermissions) =>
    p.reply && (!takes || p.assign) && (!reopens || p.changeStatus);
  if (allows(conversationPolicy(actor, accessOf(row)))) return true;
  return (
    reopens && allows(conversationPolicy(actor, { ...accessOf(row), assigneeId: null, operatorIds: [] }))
  );
}

/**
 * Reopens the conversation and assigns it to the writer where writing takes it, inside the transaction that
 * then sends the message, once the policy allows it (nothing is changed otherwise).
 */
async function takeToWrite(tx: Tx, actor: Actor, id: string) {
  const [locked] = await tx.q.query(
    "select 1 from conversations where workspace_id = $1 and id = $2 for update",
    [actor.workspaceId, id],
  );
  if (!locked) throw notFound("Conversation");
  const before = (await loadConversationRow(tx.q, actor.workspaceId, id))!;
  const reopens = before.status === "closed";
  const handledByOther = !reopens && before.assignee_id !== null && before.assignee_id !== actor.userId;
  if (handledByOther && !can(actor, "conversations.view_all")) {
    const [assignee] = await tx.q.query<{ name: string }>("select name from users where id = $1", [
      before.assignee_id,
    ]);
    throw conflict(
      `${assignee?.name ?? "Another agent"} is handling this conversation now; ask them or a supervisor.`,
    );
  }
  // An open conversation of a manager's colleague is not taken: the manager just writes.
  const takes = reopens || before.assignee_id === null;
  if (!mayWrite(actor, before, takes)) {
    // One who may reply to it as it stands (an operator of another team's conversation) writes without taking
    // it: the reply reopens a closed one, as a reply in the conversation itself does.
    if (conversationPolicy(actor, accessOf(before)).reply) return;
    throw forbidden(
      "This contact's conversation is in another team's queue: someone of that team or a supervisor can write to them.",
    );
  }
  if (!takes) return;
  await tx.q.query(
    `update conversations set status = case when status = 'closed' then 'open' else status end, closed_at = null,
       assignee_id = $2, updated_at = $3 where id = $1`,
    [id, actor.userId, tx.now],
  );
  await tx.q.query("delete from conversation_operators where conversation_id = $1 and user_id = $2", [
    id,
    actor.userId,
  ]);
  const after = (await loadConversationRow(tx.q, actor.workspaceId, id))!;
  const conversation = presentConversation(after);
  const audience = { conversation: { ...accessOf(after), previousAssigneeId: before.assignee_id } };
  const where = { workspaceId: actor.workspaceId, conversationId: id, connectionId: after.connection_id };
  if (reopens) {
    await addSystemEvent(
      tx,
      where,
      { kind: "reopened", byUserId: actor.userId, from: "closed", to: "open" },
      audience,
    );
    tx.emit(actor.workspaceId, {
      type: "conversation.status_changed",
      conversationId: id,
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
      conversationId: id,
      conversation,
      previousAssigneeId: before.assignee_id,
      byUserId: actor.userId,
      audience,
    });
  }
}

/**
 * Opens a conversation, assigned to the writer, for an identity of the contact that has none yet (one the
 * provider told about without a message: a Viber subscriber), inside the caller's transaction. Refused with
 * the window's reason when nothing may be sent to it. Null when the contact has no such identity.
 */
async function startConversation(
  tx: Tx,
  actor: Actor,
  contactId: string,
  connectionId: string | null,
): Promise<string | null> {
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
  if (!created) throw conflict("A conversation with this contact has just started: open it from the inbox.");
  const window = await conversationWindow(tx.q, created.id, tx.now, { sender: "person" });
  if (!window.allowed) throw windowRefusal(window);
  const row = (await loadConversationRow(tx.q, actor.workspaceId, created.id))!;
  tx.emit(actor.workspaceId, {
    type: "conversation.created",
    conversationId: created.id,
    conversation: presentConversation(row),
    audience: { conversation: accessOf(row) },
  });
  return created.id;
}
