import { type AppContext, type Tx, transact } from "../../context";
import { type Actor, can } from "../../domain/permissions";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { addSystemEvent } from "../messages/system-event";
import { conversationForActor } from "./access";
import { accessOf, type ConversationRow, loadConversationRow, presentConversation } from "./present";

async function emitAssigned(
  tx: Tx,
  actor: Actor,
  before: ConversationRow,
  systemEvent: Record<string, unknown> & {
    kind: "assigned" | "unassigned" | "operator_added" | "operator_left";
  },
) {
  const after = (await loadConversationRow(tx.q, actor.workspaceId, before.id))!;
  const conversation = presentConversation(after);
  // The previous assignee and operators receive the change too, so their lists drop what they lost.
  const audience = { conversation: { ...accessOf(after), previousAssigneeId: before.assignee_id } };
  await addSystemEvent(
    tx,
    { workspaceId: actor.workspaceId, conversationId: before.id, connectionId: before.connection_id },
    { ...systemEvent, byUserId: actor.userId },
    audience,
  );
  tx.emit(actor.workspaceId, {
    type: "conversation.assigned",
    conversationId: before.id,
    conversation,
    previousAssigneeId: before.assignee_id,
    byUserId: actor.userId,
    audience,
  });
  return conversation;
}

async function requireAgent(tx: Tx, workspaceId: string, userId: string) {
  const [u] = await tx.q.query<{ id: string; name: string }>(
    "select id, name from users where id = $1 and workspace_id = $2 and status = 'active'",
    [userId, workspaceId],
  );
  if (!u) throw notFound("Agent");
  return u;
}

/**
 * Assigns or reassigns the responsible agent and/or team (R207). Works on closed conversations without
 * reopening them. Agents may take a queued conversation or hand over their own; managers may do anything.
 * The previous assignee stops being an operator, so they lose access unless they are a manager.
 */
export async function assignConversation(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: { assigneeId: string | null; teamId?: string | null },
) {
  return transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "assign",
      why: "Only the responsible agent or a supervisor can reassign this conversation.",
    });
    if (
      !can(actor, "conversations.view_all") &&
      row.assignee_id === null &&
      input.assigneeId !== actor.userId
    ) {
      throw forbidden("Take the conversation yourself, or ask a supervisor to assign it to someone else.");
    }
    if (input.assigneeId) await requireAgent(tx, actor.workspaceId, input.assigneeId);
    if (input.teamId) {
      const t = await tx.q.query("select 1 from teams where id = $1 and workspace_id = $2", [
        input.teamId,
        actor.workspaceId,
      ]);
      if (!t.length) throw notFound("Team");
    }
    const teamChanges = input.teamId !== undefined && input.teamId !== row.team_id;
    if (row.assignee_id === input.assigneeId && !teamChanges) return presentConversation(row);
    await tx.q.query(
      `update conversations set assignee_id = $2, team_id = case when $3 then $4::uuid else team_id end, updated_at = $5 where id = $1`,
      [id, input.assigneeId, teamChanges, input.teamId ?? null, tx.now],
    );
    if (input.assigneeId) {
      await tx.q.query("delete from conversation_operators where conversation_id = $1 and user_id = $2", [
        id,
        input.assigneeId,
      ]);
    }
    return emitAssigned(tx, actor, row, {
      kind: input.assigneeId ? "assigned" : "unassigned",
      from: row.assignee_id,
      to: input.assigneeId,
      teamId: input.teamId ?? row.team_id,
    });
  });
}

/** Adds an additional operator (R207). */
export async function addOperator(ctx: AppContext, actor: Actor, id: string, userId: string) {
  return transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "assign",
      why: "Only the responsible agent or a supervisor can add operators.",
    });
    await requireAgent(tx, actor.workspaceId, userId);
    if (row.assignee_id === userId)
      throw new AppError("conflict", "This agent is already responsible for the conversation.");
    const added = await tx.q.query(
      `insert into conversation_operators (conversation_id, user_id, workspace_id, added_at) values ($1, $2, $3, $4)
       on conflict do nothing returning user_id`,
      [id, userId, actor.workspaceId, tx.now],
    );
    if (!added.length) return presentConversation(row);
    return emitAssigned(tx, actor, row, { kind: "operator_added", userId });
  });
}

/**
 * Leaves a conversation (R208): an operator stops being one; the responsible agent hands it back to the queue.
 */
export async function leaveConversation(ctx: AppContext, actor: Actor, id: string) {
  return transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, { lock: true });
    if (row.assignee_id === actor.userId) {
      await tx.q.query("update conversations set assignee_id = null, updated_at = $2 where id = $1", [
        id,
        tx.now,
      ]);
      return emitAssigned(tx, actor, row, { kind: "unassigned", from: actor.userId, to: null });
    }
    const left = await tx.q.query(
      "delete from conversation_operators where conversation_id = $1 and user_id = $2 returning user_id",
      [id, actor.userId],
    );
    if (!left.length)
      throw new AppError(
        "conflict",
        "You are neither responsible for this conversation nor one of its operators.",
      );
    return emitAssigned(tx, actor, row, { kind: "operator_left", userId: actor.userId });
  });
}
