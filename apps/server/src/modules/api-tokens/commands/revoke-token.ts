import { type AppContext, transact } from "../../../context";
import type { RequestActor } from "../../../http/types";
import { notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { loadToken } from "../queries/list-tokens";

/**
 * Revokes a token of the workspace. Every process looks tokens up on each request, so the next request with it
 * is refused everywhere. Revoking a revoked token changes nothing.
 */
export async function revokeToken(
  ctx: AppContext,
  actor: RequestActor,
  id: string,
  source: { ip: string; userAgent: string | null; tokenId: string | null },
) {
  await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{ name: string; revoked_at: Date | null }>(
      "select name, revoked_at from api_tokens where workspace_id = $1 and id = $2 for update",
      [actor.workspaceId, id],
    );
    if (!row) throw notFound("API token");
    if (row.revoked_at) return;
    await tx.q.query("update api_tokens set revoked_at = $2, revoked_by = $3 where id = $1", [
      id,
      tx.now,
      actor.userId,
    ]);
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "api_token.revoked",
      targetType: "api_token",
      targetId: id,
      data: { name: row.name },
      ...source,
      at: tx.now,
    });
  });
  return (await loadToken(ctx.db, actor.workspaceId, id))!;
}
