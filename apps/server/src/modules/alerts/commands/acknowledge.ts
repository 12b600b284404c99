import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { alertById } from "../queries/alerts";

/**
 * Marks an alert acknowledged by the caller (`alert.acknowledged` in the audit log). Acknowledging it again
 * changes nothing: the first acknowledgement is kept.
 */
export async function acknowledgeAlert(
  ctx: AppContext,
  actor: Actor,
  id: string,
  source: { ip: string | null; userAgent: string | null },
) {
  return transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{ id: string; rule: string; key: string }>(
      `update alerts set acknowledged_at = $3, acknowledged_by = $4
       where id = $1 and workspace_id = $2 and acknowledged_at is null returning id, rule, key`,
      [id, actor.workspaceId, tx.now, actor.userId],
    );
    if (row)
      await recordAudit(tx.q, {
        workspaceId: actor.workspaceId,
        userId: actor.userId,
        action: "alert.acknowledged",
        targetType: "alert",
        targetId: id,
        data: { rule: row.rule, key: row.key },
        ...source,
        at: tx.now,
      });
    const alert = await alertById(tx.q, actor.workspaceId, id);
    if (!alert) throw notFound("The alert");
    return alert;
  });
}
