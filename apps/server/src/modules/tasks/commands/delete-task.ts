import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { canSeeTask } from "../policy";
import { TASK_COLUMNS, type TaskRow } from "../present";

/** Deletes a task the actor may see (404 otherwise, as for another workspace's). */
export async function deleteTask(ctx: AppContext, actor: Actor, id: string) {
  const [cur] = await ctx.db.query<TaskRow>(
    `select ${TASK_COLUMNS} from tasks where workspace_id = $1 and id = $2`,
    [actor.workspaceId, id],
  );
  if (!cur || !canSeeTask(actor, cur)) throw notFound("Task");
  await ctx.db.query("delete from tasks where id = $1 and workspace_id = $2", [cur.id, actor.workspaceId]);
}
