import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";

/** Forgets the agent's number (verified or waiting): no more SMS notifications. */
export async function removePhone(ctx: AppContext, actor: Actor) {
  await transact(ctx, async (tx) => {
    await tx.q.query("delete from agent_phones where user_id = $1 and workspace_id = $2", [
      actor.userId,
      actor.workspaceId,
    ]);
  });
}
