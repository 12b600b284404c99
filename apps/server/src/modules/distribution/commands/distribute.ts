import { type AppContext, type Tx, transact } from "../../../context";
import { accessOf, loadConversationRow, presentConversation } from "../../conversations/present";
import { addSystemEvent } from "../../messages/system-event";
import { agentLoads, pickAgent, poolTeamOf, SCOPE_OF_C, type ScopeRow } from "../scope";

/** Why distribution moved a conversation; written into the feed's system line. */
export type DistributionReason = "distribution" | "reply_timeout" | "agent_away";

/** Gives a locked, unassigned conversation to an agent, with the feed's line and `conversation.assigned`. */
export async function giveTo(
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  userId: string,
  teamId: string | null,
) {
  const before = (await loadConversationRow(tx.q, workspaceId, conversationId))!;
  await tx.q.query(
    `update conversations set assignee_id = $2, team_id = coalesce(team_id, $3::uuid), updated_at = $4 where id = $1`,
    [conversationId, userId, teamId, tx.now],
  );
  await tx.q.query("delete from conversation_operators where conversation_id = $1 and user_id = $2", [
    conversationId,
    userId,
  ]);
  await tx.q.query(
    `insert into distribution_assignments (conversation_id, workspace_id, user_id, assigned_at) values ($1, $2, $3, $4)
     on conflict (conversation_id) do update set user_id = excluded.user_id, assigned_at = excluded.assigned_at`,
    [conversationId, workspaceId, userId, tx.now],
  );
  await announceHandover(tx, workspaceId, conversationId, before.assignee_id, {
    kind: "assigned",
    from: null,
    to: userId,
    reason: "distribution",
  });
}

/**
 * After distribution changed a conversation's agent in this transaction: the feed's system line saying why
 * and `conversation.assigned`, which the previous agent receives too (their list drops it).
 */
export async function announceHandover(
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  previousAssigneeId: string | null,
  event: {
    kind: "assigned" | "unassigned";
    from: string | null;
    to: string | null;
    reason: DistributionReason;
  },
) {
  const after = (await loadConversationRow(tx.q, workspaceId, conversationId))!;
  const audience = { conversation: { ...accessOf(after), previousAssigneeId } };
  await addSystemEvent(
    tx,
    { workspaceId, conversationId, connectionId: after.connection_id },
    { ...event, byUserId: null, teamId: after.team_id },
    audience,
  );
  tx.emit(workspaceId, {
    type: "conversation.assigned",
    conversationId,
    conversation: presentConversation(after),
    previousAssigneeId,
    byUserId: null,
    audience,
  });
}

/** Locks a scope's settings row: every pick in one scope waits for the one before it (fairness). */
async function lockScope(tx: Tx, scopeId: string): Promise<ScopeRow | null> {
  const [s] = await tx.q.query<ScopeRow>("select * from distribution_settings where id = $1 for update", [
    scopeId,
  ]);
  return s ?? null;
}

/** Picks an agent for the scope (locked by the caller) and moves the round-robin cursor to them. */
async function pickInScope(tx: Tx, scope: ScopeRow, exclude: string | null) {
  const agents = await agentLoads(tx.q, scope.workspace_id, poolTeamOf(scope), tx.now);
  const agent = pickAgent(scope.mode, agents, scope.cursor_user_id, exclude);
  if (agent) {
    await tx.q.query("update distribution_settings set cursor_user_id = $2 where id = $1", [
      scope.id,
      agent.id,
    ]);
    scope.cursor_user_id = agent.id;
  }
  return agent;
}

/**
 * Distributes one conversation: if it is still open, unassigned and in a scope that distributes, the scope's
 * next eligible agent gets it. Idempotent: running it again (a job retried after a crash) finds it assigned
 * and does nothing. Answers who got it (null: it stays in the queue).
 */
export async function distributeConversation(
  ctx: AppContext,
  conversationId: string,
  exclude: string | null = null,
): Promise<string | null> {
  return transact(ctx, async (tx) => {
    // The scope first (its lock orders every pick in it), then the conversation.
    const [found] = await tx.q.query<{ scope_id: string }>(
      `select s.id as scope_id from conversations c ${SCOPE_OF_C}
       where c.id = $1 and c.assignee_id is null and c.bot_id is null and c.status <> 'closed' and s.mode <> 'manual'`,
      [conversationId],
    );
    if (!found) return null;
    const scope = await lockScope(tx, found.scope_id);
    if (!scope || scope.mode === "manual") return null;
    const [c] = await tx.q.query<{ workspace_id: string; scope_id: string }>(
      `select c.workspace_id, s.id as scope_id from conversations c ${SCOPE_OF_C}
       where c.id = $1 and c.assignee_id is null and c.bot_id is null and c.status <> 'closed' for update of c`,
      [conversationId],
    );
    if (!c || c.scope_id !== scope.id) return null;
    const agent = await pickInScope(tx, scope, exclude);
    if (!agent) return null;
    await giveTo(tx, c.workspace_id, conversationId, agent.id, poolTeamOf(scope));
    return agent.id;
  });
}

/** Conversations waiting in a scope's queue, oldest waiting first (the customer's first unanswered message; then arrival). */
export const QUEUE_OF_SCOPE = `
  from conversations c ${SCOPE_OF_C}
  where c.workspace_id = $1 and s.id = $2 and c.assignee_id is null and c.bot_id is null and c.status <> 'closed'`;
export const QUEUE_ORDER = "order by coalesce(c.first_unanswered_at, c.created_at), c.number";

/**
 * Hands a scope's waiting conversations to eligible agents, oldest first, until the queue is empty or nobody
 * is eligible; at most `limit` per transaction. The agents' loads are read once per transaction and counted
 * on as it assigns (the scope's lock keeps every other pick in this scope out meanwhile), and the round-robin
 * cursor is written once. Answers how many it assigned.
 */
export async function drainScope(ctx: AppContext, workspaceId: string, scopeId: string, limit = 50) {
  let total = 0;
  for (;;) {
    const assigned = await transact(ctx, async (tx) => {
      const scope = await lockScope(tx, scopeId);
      if (!scope || scope.mode === "manual") return 0;
      // Every drain of the scope holds its lock, so these rows are only ever waited for briefly (another
      // transaction touching the conversation); skipping them would leave a conversation whose own job found
      // it busy in the queue until the next sweep.
      const waiting = await tx.q.query<{ id: string }>(
        `select c.id ${QUEUE_OF_SCOPE} ${QUEUE_ORDER} limit $3 for update of c`,
        [workspaceId, scopeId, limit],
      );
      if (waiting.length === 0) return 0;
      const agents = await agentLoads(tx.q, scope.workspace_id, poolTeamOf(scope), tx.now);
      let n = 0;
      for (const w of waiting) {
        const agent = pickAgent(scope.mode, agents, scope.cursor_user_id, null);
        if (!agent) break;
        agent.open++;
        scope.cursor_user_id = agent.id;
        await giveTo(tx, workspaceId, w.id, agent.id, poolTeamOf(scope));
        n++;
      }
      if (n > 0)
        await tx.q.query("update distribution_settings set cursor_user_id = $2 where id = $1", [
          scope.id,
          scope.cursor_user_id,
        ]);
      return n === waiting.length && n === limit ? -n : n;
    });
    total += Math.abs(assigned);
    if (assigned >= 0) return total;
  }
}

/**
 * The distribution job for new and returning conversations: drains the queue of each distributing scope they
 * fall in. One transaction assigns a whole batch in queue order, so a burst of arrivals costs one scope lock
 * and one commit per batch rather than per conversation, and jobs that find their scope already drained by an
 * earlier one end at once.
 */
export async function distributeNew(ctx: AppContext, conversationIds: string[]) {
  const scopes = await ctx.db.query<{ workspace_id: string; scope_id: string }>(
    `select distinct c.workspace_id, s.id as scope_id from conversations c ${SCOPE_OF_C}
     where c.id = any($1::uuid[]) and c.assignee_id is null and c.bot_id is null and c.status <> 'closed'
       and s.mode <> 'manual'
     order by s.id`,
    [conversationIds],
  );
  let total = 0;
  for (const s of scopes) total += await drainScope(ctx, s.workspace_id, s.scope_id);
  return total;
}

/** Drains every distributing scope of a workspace (an agent came online, returned, or freed capacity). */
export async function drainWorkspace(ctx: AppContext, workspaceId: string) {
  const scopes = await ctx.db.query<{ id: string }>(
    "select id from distribution_settings where workspace_id = $1 and mode <> 'manual' order by id",
    [workspaceId],
  );
  let total = 0;
  for (const s of scopes) total += await drainScope(ctx, workspaceId, s.id);
  return total;
}
