import { z } from "zod";
import { type AppContext, type Tx, transact } from "../../context";
import { JOB_WAITING } from "../notifications/waiting";
import { distributeConversation, distributeNew, drainWorkspace } from "./commands/distribute";
import { ASSIGN_JOB, reassignOverdue } from "./commands/reassign";
import { SCOPE_OF_C } from "./scope";

export const DRAIN_JOB = "distribution.drain";

/** How many due `distribution.assign` jobs of a workspace one run takes (JobDefinition.gather). */
export const ASSIGN_GATHER = 100;

const AssignPayload = z.object({
  conversationIds: z.array(z.uuid()),
  exclude: z.uuid().nullish(),
  /** Of `conversationIds`, those just created (not reopened): left waiting, they notify every agent. */
  created: z.array(z.uuid()).optional(),
});
type AssignPayload = z.infer<typeof AssignPayload>;

/** The new conversations, of these, still unassigned: one `notify.waiting` job per workspace. */
async function notifyWaiting(ctx: AppContext, createdIds: string[]) {
  if (!createdIds.length) return;
  const rows = await ctx.db.query<{ workspace_id: string; ids: string[] }>(
    `select workspace_id, array_agg(id::text order by number) as ids from conversations
     where id = any($1::uuid[]) and assignee_id is null group by workspace_id`,
    [createdIds],
  );
  if (!rows.length) return;
  await transact(ctx, async (tx) => {
    for (const r of rows)
      await tx.enqueue(
        JOB_WAITING,
        { workspaceId: r.workspace_id, conversationIds: r.ids },
        { workspaceId: r.workspace_id },
      );
  });
}
export const SWEEP_JOB = "distribution.sweep";

/** Registers the distribution jobs: assign new conversations, drain a workspace's queues, sweep for overdue. */
export function registerDistributionJobs(ctx: AppContext) {
  const assign = async (payloads: AssignPayload[]) => {
    // Taken back from an agent: this conversation, never to that agent again at once.
    for (const { conversationIds, exclude } of payloads)
      if (exclude) for (const id of conversationIds) await distributeConversation(ctx, id, exclude);
    // New and reopened ones: the queues they are in, drained once for all the jobs due together.
    const fresh = payloads.filter((p) => !p.exclude);
    if (fresh.length) await distributeNew(ctx, [...new Set(fresh.flatMap((p) => p.conversationIds))]);
    // New conversations nobody could take: "new conversation" to everyone, as without distribution.
    await notifyWaiting(ctx, [...new Set(fresh.flatMap((p) => p.created ?? []))]);
  };
  ctx.jobs.register({
    type: ASSIGN_JOB,
    payload: AssignPayload,
    run: (p) => assign([p]),
    // A burst of ingest commits, one job each, is one drain (the drain takes every waiting conversation).
    gather: { max: ASSIGN_GATHER, run: assign },
  });
  ctx.jobs.register({
    type: DRAIN_JOB,
    payload: z.object({ workspaceId: z.uuid() }),
    run: async ({ workspaceId }) => {
      await drainWorkspace(ctx, workspaceId);
    },
  });
  ctx.jobs.register({
    type: SWEEP_JOB,
    payload: z.object({ workspaceId: z.uuid() }),
    run: async ({ workspaceId }) => {
      await reassignOverdue(ctx, workspaceId);
      await drainWorkspace(ctx, workspaceId);
    },
  });
}

/**
 * In the ingest transaction: of the conversations just created or reopened, those unassigned in a scope that
 * distributes get one assign job (ingest never waits for the pick). One query when automation is off.
 * Answers the conversations it gave to distribution.
 */
export async function enqueueDistribution(
  tx: Tx,
  workspaceId: string,
  conversationIds: string[],
  created: { has(id: string): boolean } = new Set<string>(),
) {
  if (conversationIds.length === 0) return [];
  const rows = await tx.q.query<{ id: string }>(
    `select c.id from conversations c ${SCOPE_OF_C}
     where c.id = any($1::uuid[]) and c.assignee_id is null and s.mode <> 'manual'`,
    [conversationIds],
  );
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  await tx.enqueue(
    ASSIGN_JOB,
    { conversationIds: ids, created: ids.filter((id) => created.has(id)) },
    { workspaceId },
  );
  return ids;
}

/** Asks for the workspace's queues to be drained when it distributes at all (capacity freed, agent back). */
export async function enqueueDrain(tx: Tx, workspaceId: string) {
  const [on] = await tx.q.query(
    "select 1 from distribution_settings where workspace_id = $1 and mode <> 'manual' limit 1",
    [workspaceId],
  );
  if (on) await tx.enqueue(DRAIN_JOB, { workspaceId }, { workspaceId });
}

/** The scheduled sweep across workspaces: overdue replies and away agents, then every queue. */
export async function sweepDistribution(ctx: AppContext) {
  await reassignOverdue(ctx);
  const workspaces = await ctx.db.query<{ workspace_id: string }>(
    "select distinct workspace_id from distribution_settings where mode <> 'manual'",
  );
  for (const w of workspaces) await drainWorkspace(ctx, w.workspace_id);
}

/** Outside a transaction (presence): asks for the workspace's queues to be drained. */
export async function requestDrain(ctx: AppContext, workspaceId: string) {
  await transact(ctx, (tx) => enqueueDrain(tx, workspaceId));
}
