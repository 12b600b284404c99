import { z } from "zod";
import { type AppContext, type Tx, transact } from "../../context";
import { distributeConversation, distributeNew, drainWorkspace } from "./commands/distribute";
import { ASSIGN_JOB, reassignOverdue } from "./commands/reassign";
import { SCOPE_OF_C } from "./scope";

export const DRAIN_JOB = "distribution.drain";
export const SWEEP_JOB = "distribution.sweep";

/** Registers the distribution jobs: assign new conversations, drain a workspace's queues, sweep for overdue. */
export function registerDistributionJobs(ctx: AppContext) {
  ctx.jobs.register({
    type: ASSIGN_JOB,
    payload: z.object({ conversationIds: z.array(z.uuid()), exclude: z.uuid().nullish() }),
    run: async ({ conversationIds, exclude }) => {
      // Taken back from an agent: this conversation, never to that agent again at once. New ones: the queue.
      if (exclude) for (const id of conversationIds) await distributeConversation(ctx, id, exclude);
      else await distributeNew(ctx, conversationIds);
    },
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
 */
export async function enqueueDistribution(tx: Tx, workspaceId: string, conversationIds: string[]) {
  if (conversationIds.length === 0) return;
  const rows = await tx.q.query<{ id: string }>(
    `select c.id from conversations c ${SCOPE_OF_C}
     where c.id = any($1::uuid[]) and c.assignee_id is null and s.mode <> 'manual'`,
    [conversationIds],
  );
  if (rows.length) await tx.enqueue(ASSIGN_JOB, { conversationIds: rows.map((r) => r.id) }, { workspaceId });
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
