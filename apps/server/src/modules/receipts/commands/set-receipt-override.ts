import { type AppContext, transact } from "../../../context";
import { type Actor, mustHold } from "../../../domain/permissions";
import { type AuditSource, recordAudit } from "../../audit/record";
import { conversationForActor } from "../../conversations/access";
import { mustExist } from "../queries/exists";

/**
 * Turns read receipts on or off for one connection (admins) or one conversation (managers), or back to
 * inheriting the wider setting (null) (R305), audited. A record the caller cannot see is missing (404)
 * before their role is looked at.
 */
export async function setReceiptOverride(
  ctx: AppContext,
  actor: Actor,
  target: "connection" | "conversation",
  id: string,
  readReceipts: boolean | null,
  source: AuditSource,
) {
  if (target === "connection") {
    await mustExist(ctx.db, "Connection", actor.workspaceId, id);
    mustHold(actor, "policy.manage");
  }
  await transact(ctx, async (tx) => {
    if (target === "conversation") {
      await conversationForActor(tx.q, actor, id, { lock: true });
      mustHold(actor, "conversations.view_all");
    }
    const table = target === "connection" ? "channel_connections" : "conversations";
    const [before] = await tx.q.query<{ read_receipts: boolean | null }>(
      `select read_receipts from ${table} where id = $1`,
      [id],
    );
    await tx.q.query(`update ${table} set read_receipts = $2 where id = $1`, [id, readReceipts]);
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: `receipts.${target}_policy`,
      targetType: target,
      targetId: id,
      data: { before: { readReceipts: before?.read_receipts ?? null }, after: { readReceipts } },
      ...source,
      at: tx.now,
    });
  });
  return { readReceipts };
}
