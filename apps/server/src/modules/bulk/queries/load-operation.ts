import type { AppContext } from "../../../context";
import type { OperationRow } from "../present";

/** A bulk operation of the workspace, or null. */
export async function loadOperation(ctx: AppContext, workspaceId: string, id: string) {
  const [row] = await ctx.db.query<OperationRow>(
    "select * from bulk_operations where workspace_id = $1 and id = $2",
    [workspaceId, id],
  );
  return row ?? null;
}
