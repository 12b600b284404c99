import type { z } from "zod";
import type { BulkAction, BulkOperation } from "./schema";

export interface OperationRow {
  id: string;
  workspace_id: string;
  user_id: string | null;
  action: BulkAction;
  params: {
    assigneeId?: string | null;
    teamId?: string | null;
    ip?: string | null;
    userAgent?: string | null;
    /** The API token the operation was started with (null: by the person): the job acts with its permissions. */
    tokenId?: string | null;
    snooze?: { until?: string; preset?: "hour" | "tomorrow" | "next_week"; timeZone?: string };
  };
  conversation_ids: string[];
  total: number;
  done: number;
  failed: number;
  errors: { conversationId: string; code: string; message: string }[];
  status: "running" | "completed" | "failed";
  audit_id: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export const presentOperation = (r: OperationRow): z.infer<typeof BulkOperation> => ({
  id: r.id,
  action: r.action,
  status: r.status,
  total: r.total,
  done: r.done,
  failed: r.failed,
  errors: r.errors,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
});
