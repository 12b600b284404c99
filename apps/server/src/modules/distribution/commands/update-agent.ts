import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { SWEEP_JOB } from "../jobs";
import type { AgentBody } from "../schema";

/**
 * Sets an agent's capacity (most open conversations distribution gives them) and vacation. Going on vacation
 * sends their conversations awaiting a reply back to distribution; returning or more room drains the queues.
 */
export async function updateAgent(ctx: AppContext, actor: Actor, userId: string, body: AgentBody) {
  return transact(ctx, async (tx) => {
    const found = await tx.q.query("select 1 from users where id = $1 and workspace_id = $2", [
      userId,
      actor.workspaceId,
    ]);
    if (!found.length) throw notFound("Agent");
    const [row] = await tx.q.query<{ max_open: number | null; on_vacation: boolean }>(
      `insert into agent_distribution (user_id, workspace_id, max_open, on_vacation, updated_at)
       values ($1, $2, $3, coalesce($4, false), $5)
       on conflict (user_id) do update set
         max_open = case when $6 then excluded.max_open else agent_distribution.max_open end,
         on_vacation = coalesce($4, agent_distribution.on_vacation), updated_at = excluded.updated_at
       returning max_open, on_vacation`,
      [
        userId,
        actor.workspaceId,
        body.maxOpen ?? null,
        body.onVacation ?? null,
        tx.now,
        body.maxOpen !== undefined,
      ],
    );
    await tx.enqueue(SWEEP_JOB, { workspaceId: actor.workspaceId });
    return { userId, maxOpen: row!.max_open, onVacation: row!.on_vacation };
  });
}
