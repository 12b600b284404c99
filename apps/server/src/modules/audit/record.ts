import type { Queryable } from "../../db/client";
import { evaluateAlerts } from "../alerts/evaluate";

/** One entry of the workspace's audit log: who did what to which record, from where, and when. */
export interface AuditEntry {
  workspaceId: string;
  /** The user who acted; null for the system (a job, a customer's own request). */
  userId: string | null;
  /** A dotted verb, e.g. `connection.created`, `contact.exported`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  /** What the action changed or asked for; never a secret. */
  data?: unknown;
  ip?: string | null;
  /** The caller's browser or client, as it said (`User-Agent`). */
  userAgent?: string | null;
  /** The API token the user acted through (R806): the log shows "via token X". */
  tokenId?: string | null;
  /** The application's clock (the transaction's `tx.now`, or `ctx.clock.now()`). */
  at: Date;
}

/** Where a request came from (`requestSource(req)` in http/types.ts). */
export type AuditSource = Pick<AuditEntry, "ip" | "userAgent" | "tokenId">;

/**
 * The one writer of the audit log: every command that must leave a trace calls it in its own transaction.
 * The table's trigger links the row into the workspace's hash chain (migration 0025); rows are never
 * changed afterwards.
 */
export async function recordAudit(q: Queryable, e: AuditEntry): Promise<{ id: number }> {
  const [row] = await q.query<{ id: number }>(
    `insert into audit_log (workspace_id, user_id, action, target_type, target_id, data, ip, user_agent, api_token_id, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
    [
      e.workspaceId,
      e.userId,
      e.action,
      e.targetType,
      e.targetId ?? null,
      JSON.stringify(e.data ?? {}),
      e.ip ?? null,
      e.userAgent ?? null,
      e.tokenId ?? null,
      e.at,
    ],
  );
  await evaluateAlerts(q, e, recordAudit);
  return row!;
}
