import type { DomainEvent } from "@parley/protocol";
import type { EventDraft } from "./store";

/** The job that fans a span of a workspace's events out into notifications (modules/notifications/fanout.ts). */
export const JOB_EVENTS = "notify.events";

/** A customer has read an agent's message (the sender is notified). */
export const isCustomerRead = (e: DomainEvent) =>
  e.type === "message.updated" &&
  e.message.direction === "outbound" &&
  e.message.authorType === "user" &&
  e.message.delivery?.state === "read";

/** Whether an event can notify anyone: only those get a fan-out job (never a notification's own event). */
export function notifiable(e: DomainEvent): boolean {
  switch (e.type) {
    case "conversation.created":
    case "conversation.assigned":
      return true;
    case "message.created":
      // A customer's message notifies the conversation's assignee and operators: nobody when it has none.
      if (e.message.direction === "inbound")
        return Boolean(
          e.conversation && (e.conversation.assigneeId || e.conversation.operatorIds.length > 0),
        );
      return e.message.kind === "note" && (e.message.text ?? "").includes("@");
    case "message.updated":
      return isCustomerRead(e);
    default:
      return false;
  }
}

/**
 * The indexes of the first and last drafts that can notify someone, if any: the fan-out job over their
 * numbers is enqueued by the statement that appends them (transact(), appendEvents), so notifications are
 * never lost and never delay the writer: who is notified, how, is worked out by a worker afterwards.
 */
export function notifiableSpan(drafts: readonly EventDraft[]): { first: number; last: number } | null {
  let first = -1;
  let last = -1;
  drafts.forEach((d, i) => {
    // A draft is the event without its number, workspace and time, which notifiable() does not read.
    if (d.quiet || !notifiable(d as DomainEvent)) return;
    if (first < 0) first = i;
    last = i;
  });
  return first < 0 ? null : { first, last };
}
