import { type AppContext, transact } from "../../context";
import type { Db, Queryable } from "../../db/client";
import type { Actor } from "../../domain/permissions";
import { type AuditSource, recordAudit } from "./record";

const DAY = 86400_000;
export const RETENTION_DEFAULT_DAYS = 365;
export const RETENTION_MIN_DAYS = 30;

export async function retentionDays(q: Queryable, workspaceId: string): Promise<number> {
  const [row] = await q.query<{ retention_days: number }>(
    "select retention_days from audit_chains where workspace_id = $1",
    [workspaceId],
  );
  return row?.retention_days ?? RETENTION_DEFAULT_DAYS;
}

/** Changes how long the workspace keeps its audit log; the change is itself recorded (before and after). */
export async function setRetention(ctx: AppContext, actor: Actor, days: number, source: AuditSource) {
  await transact(ctx, async (tx) => {
    const before = await retentionDays(tx.q, actor.workspaceId);
    // The entry first: appending locks the workspace, then its chain row, always in that order.
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "audit.retention_changed",
      targetType: "workspace",
      targetId: actor.workspaceId,
      data: { before: { retentionDays: before }, after: { retentionDays: days } },
      ...source,
      at: tx.now,
    });
    await tx.q.query("update audit_chains set retention_days = $2 where workspace_id = $1", [
      actor.workspaceId,
      days,
    ]);
  });
  return days;
}

/**
 * Retention (run by the hourly housekeeping): each workspace's oldest entries beyond its period go, as a
 * prefix of its chain. The chain's anchor moves to the last deleted row's hash first, so the rows that stay
 * still verify; the transaction says it is retention (`parley.audit_retention`), the only way the
 * append-only trigger lets rows go.
 */
export async function pruneAuditLog(db: Db, now: Date): Promise<number> {
  const chains = await db.query<{ workspace_id: string; retention_days: number }>(
    "select workspace_id, retention_days from audit_chains",
  );
  let deleted = 0;
  for (const c of chains) {
    const cutoff = new Date(now.getTime() - c.retention_days * DAY);
    deleted += await db.tx(async (q) => {
      await q.query("select set_config('parley.audit_retention', 'on', true)");
      const [last] = await q.query<{ chain_seq: string; hash: string }>(
        `select chain_seq, hash from audit_log
         where workspace_id = $1 and created_at < $2
           and chain_seq < coalesce((select min(chain_seq) from audit_log
             where workspace_id = $1 and created_at >= $2), 9223372036854775807)
         order by chain_seq desc limit 1`,
        [c.workspace_id, cutoff],
      );
      if (!last) return 0;
      await q.query("update audit_chains set anchor_seq = $2, anchor_hash = $3 where workspace_id = $1", [
        c.workspace_id,
        last.chain_seq,
        last.hash,
      ]);
      const rows = await q.query(
        "delete from audit_log where workspace_id = $1 and chain_seq <= $2 returning 1",
        [c.workspace_id, last.chain_seq],
      );
      return rows.length;
    });
  }
  return deleted;
}
