import { type AppContext, type Tx, transact } from "../../../context";
import {
  accessOf,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationFrom,
  loadConversationRow,
  presentConversation,
} from "../../conversations/present";
import { insertSystemLines } from "../../messages/system-event";
import { loadNeeds } from "../queries/needs";
import {
  type AgentLoad,
  agentLoads,
  matchRulesOf,
  pickAgents,
  poolTeamOf,
  SCOPE_OF_C,
  type ScopeRow,
} from "../scope";

/** Why distribution moved a conversation; written into the feed's system line. */
export type DistributionReason = "distribution" | "reply_timeout" | "agent_away";

/**
 * Gives locked, unassigned conversations of one workspace to agents (`assignees[i]` gets `conversationIds[i]`),
 * each with the feed's line and `conversation.assigned`, in a constant number of statements whatever the
 * number of conversations: one delete of the agents' operator rows, one update that answers the
 * conversations as the realtime events show them, one upsert of the assignment times, one insert of the
 * feed lines (the events are appended with the transaction's others, in one statement).
 */
async function giveAll(
  tx: Tx,
  workspaceId: string,
  conversationIds: string[],
  assignees: string[],
  teamId: string | null,
) {
  if (conversationIds.length === 0) return;
  const pairs = [conversationIds, assignees];
  await tx.q.query(
    `delete from conversation_operators o using unnest($1::uuid[], $2::uuid[]) as p(conversation_id, user_id)
     where o.conversation_id = p.conversation_id and o.user_id = p.user_id`,
    pairs,
  );
  const after = await tx.q.query<ConversationRow>(
    `with updated as (
       update conversations c set assignee_id = p.user_id, team_id = coalesce(c.team_id, $4::uuid), updated_at = $5
       from unnest($2::uuid[], $3::uuid[]) as p(conversation_id, user_id)
       where c.id = p.conversation_id and c.workspace_id = $1
       returning c.*)
     ${CONVERSATION_SELECT} ${conversationFrom("updated")}`,
    [workspaceId, ...pairs, teamId, tx.now],
  );
  await tx.q.query(
    `insert into distribution_assignments (conversation_id, workspace_id, user_id, assigned_at)
     select p.conversation_id, $1, p.user_id, $4 from unnest($2::uuid[], $3::uuid[]) as p(conversation_id, user_id)
     on conflict (conversation_id) do update set user_id = excluded.user_id, assigned_at = excluded.assigned_at`,
    [workspaceId, ...pairs, tx.now],
  );
  const byId = new Map(after.map((r) => [r.id, r]));
  await announceHandovers(
    tx,
    workspaceId,
    conversationIds.map((id, i) => ({
      after: byId.get(id)!,
      previousAssigneeId: null,
      event: { kind: "assigned", from: null, to: assignees[i]!, reason: "distribution" },
    })),
  );
}

interface Handover {
  /** The conversation as it is now. */
  after: ConversationRow;
  previousAssigneeId: string | null;
  event: {
    kind: "assigned" | "unassigned";
    from: string | null;
    to: string | null;
    reason: DistributionReason;
  };
}

/**
 * After distribution changed conversations' agents in this transaction: each one's feed line saying why (one
 * insert for all) and `conversation.assigned`, which the previous agent receives too (their list drops it).
 */
async function announceHandovers(tx: Tx, workspaceId: string, handovers: Handover[]) {
  const audiences = handovers.map((h) => ({
    conversation: { ...accessOf(h.after), previousAssigneeId: h.previousAssigneeId },
  }));
  const lines = await insertSystemLines(
    tx,
    workspaceId,
    handovers.map((h) => ({
      conversationId: h.after.id,
      connectionId: h.after.connection_id,
      event: { ...h.event, byUserId: null, teamId: h.after.team_id },
    })),
  );
  handovers.forEach((h, i) => {
    tx.emit(workspaceId, {
      type: "message.created",
      conversationId: h.after.id,
      message: lines[i]!,
      audience: audiences[i]!,
    });
    tx.emit(workspaceId, {
      type: "conversation.assigned",
      conversationId: h.after.id,
      conversation: presentConversation(h.after),
      previousAssigneeId: h.previousAssigneeId,
      byUserId: null,
      audience: audiences[i]!,
    });
  });
}

/** `announceHandovers` for one conversation, read as it is now. */
export async function announceHandover(
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  previousAssigneeId: string | null,
  event: Handover["event"],
) {
  const after = (await loadConversationRow(tx.q, workspaceId, conversationId))!;
  await announceHandovers(tx, workspaceId, [{ after, previousAssigneeId, event }]);
}

/** Locks a scope's settings row: every pick in one scope waits for the one before it (fairness). */
async function lockScope(tx: Tx, scopeId: string): Promise<ScopeRow | null> {
  const [s] = await tx.q.query<ScopeRow>("select * from distribution_settings where id = $1 for update", [
    scopeId,
  ]);
  return s ?? null;
}

/**
 * The one picker: gives the scope's (locked by the caller) waiting conversations, locked and in queue order,
 * to its eligible agents from their loads read once, round-robin cursor and capacity as one at a time
 * (`pickAgents`), then writes every assignment and the cursor in a constant number of statements. The
 * oldest get an agent until nobody is eligible; the rest stay queued. Answers the agents, in order.
 */
async function assignInScope(tx: Tx, scope: ScopeRow, conversationIds: string[], exclude: string | null) {
  if (conversationIds.length === 0) return { picks: [], exhausted: false };
  const agents = await agentLoads(tx.q, scope.workspace_id, poolTeamOf(scope), tx.now);
  const rules = matchRulesOf(scope);
  // The conversations' channel, language and tags only matter with matching or a per-channel limit.
  const needs =
    rules.matchLanguage || rules.matchTags || agents.some(hasChannelLimit)
      ? await loadNeeds(tx.q, scope.workspace_id, conversationIds)
      : undefined;
  const { picks, cursor, exhausted } = pickAgents(
    scope.mode,
    agents,
    scope.cursor_user_id,
    conversationIds.length,
    exclude,
    needs,
    rules,
  );
  const given = conversationIds.flatMap((id, i) => (picks[i] ? [{ id, agent: picks[i] }] : []));
  if (given.length === 0) return { picks, exhausted };
  await giveAll(
    tx,
    scope.workspace_id,
    given.map((g) => g.id),
    given.map((g) => g.agent),
    poolTeamOf(scope),
  );
  await tx.q.query("update distribution_settings set cursor_user_id = $2 where id = $1", [scope.id, cursor]);
  scope.cursor_user_id = cursor;
  return { picks, exhausted };
}

const hasChannelLimit = (a: AgentLoad) => Object.keys(a.channelMaxOpen).length > 0;

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
       where c.id = $1 and c.assignee_id is null and c.bot_id is null and c.status <> 'closed' and s.mode <> 'manual'
         and ${AWAKE_AT(2)}`,
      [conversationId, ctx.clock.now()],
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
    const { picks } = await assignInScope(tx, scope, [conversationId], exclude);
    return picks[0] ?? null;
  });
}

/** Not snoozed at `$n` (a snooze whose time has come counts as woken even before the wake-up task ran). */
export const AWAKE_AT = (n: number) => `(c.snoozed_until is null or c.snoozed_until <= $${n})`;

/**
 * Conversations waiting in a scope's queue (`$1` workspace, `$2` scope, `$3` now), oldest waiting first (the
 * customer's first unanswered message; then arrival). Snoozed conversations wait until they wake.
 */
export const QUEUE_OF_SCOPE = `
  from conversations c ${SCOPE_OF_C}
  where c.workspace_id = $1 and s.id = $2 and c.assignee_id is null and c.bot_id is null and c.status <> 'closed'
    and ${AWAKE_AT(3)}`;
export const QUEUE_ORDER = "order by coalesce(c.first_unanswered_at, c.created_at), c.number";

/**
 * Hands a scope's waiting conversations to eligible agents, oldest first, until the queue is empty or nobody
 * is eligible; at most `limit` per transaction, assigned as one batch (`assignInScope`: loads read once,
 * the scope's lock keeping every other pick in this scope out meanwhile, a constant number of statements
 * for the whole batch). A conversation nobody matches (language, tags, its channel's limit) keeps its place
 * and the drain goes on past it. Answers how many it assigned.
 */
export async function drainScope(ctx: AppContext, workspaceId: string, scopeId: string, limit = 100) {
  let total = 0;
  const passed: string[] = [];
  for (;;) {
    const batch = await transact(ctx, async (tx) => {
      const scope = await lockScope(tx, scopeId);
      if (!scope || scope.mode === "manual") return { n: 0, more: false };
      // Every drain of the scope holds its lock, so these rows are only ever waited for briefly (another
      // transaction touching the conversation); skipping them would leave a conversation whose own job found
      // it busy in the queue until the next sweep.
      const waiting = await tx.q.query<{ id: string }>(
        `select c.id ${QUEUE_OF_SCOPE} and c.id <> all($5::uuid[]) ${QUEUE_ORDER} limit $4 for update of c`,
        [workspaceId, scopeId, tx.now, limit, passed],
      );
      if (waiting.length === 0) return { n: 0, more: false };
      const ids = waiting.map((w) => w.id);
      const { picks, exhausted } = await assignInScope(tx, scope, ids, null);
      ids.forEach((id, i) => {
        if (i < picks.length && !picks[i]) passed.push(id);
      });
      return { n: picks.filter(Boolean).length, more: !exhausted && waiting.length === limit };
    });
    total += batch.n;
    if (!batch.more) return total;
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
       and s.mode <> 'manual' and ${AWAKE_AT(2)}
     order by s.id`,
    [conversationIds, ctx.clock.now()],
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
