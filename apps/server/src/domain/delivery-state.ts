import type { DeliveryState, FailureReason } from "@parley/protocol";

/**
 * The delivery state machine of an outgoing message (R301, R302).
 * queued < sent < delivered < read; failed is terminal except that a later success report wins
 * (WhatsApp sends `delivered` after `failed` when the customer has several devices).
 * Duplicated and out-of-order reports never move a message backwards.
 */
const RANK: Record<Exclude<DeliveryState, "failed">, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

const STEPS = [
  ["sent", "sentAt"],
  ["delivered", "deliveredAt"],
  ["read", "readAt"],
] as const;

export interface DeliverySnapshot {
  state: DeliveryState;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  failureReason: FailureReason | null;
  failureDetail: string | null;
}

export type DeliveryReport =
  | { state: "sent" | "delivered" | "read"; at: Date }
  | { state: "failed"; at: Date; reason: FailureReason; detail?: string | null };

/** Returns the next snapshot, or null when the report changes nothing. */
export function applyDeliveryReport(
  current: DeliverySnapshot,
  report: DeliveryReport,
): DeliverySnapshot | null {
  if (report.state === "failed") {
    // A failure after the message reached the customer is stale news: ignore it.
    if (current.state === "failed" || current.state === "delivered" || current.state === "read") return null;
    return {
      ...current,
      state: "failed",
      failedAt: report.at,
      failureReason: report.reason,
      failureDetail: report.detail ?? null,
    };
  }
  const target = RANK[report.state];
  // "sent" after "failed" does not revive a message; delivered or read does.
  if (current.state === "failed" && target < RANK.delivered) return null;
  const next = { ...current };
  let changed = false;
  // Each step implies the earlier ones: a read report fills in delivered and sent if they never came.
  for (const [step, key] of STEPS) {
    if (target >= RANK[step] && !next[key]) {
      next[key] = report.at;
      changed = true;
    }
  }
  const currentRank = current.state === "failed" ? -1 : RANK[current.state];
  if (target > currentRank) {
    next.state = report.state;
    next.failureReason = null;
    next.failureDetail = null;
    changed = true;
  }
  return changed ? next : null;
}
