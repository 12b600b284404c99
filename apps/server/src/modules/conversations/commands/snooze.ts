import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { badRequest, conflict } from "../../../lib/errors";
import { HoursCache } from "../../hours/api";
import { conversationForActor } from "../access";
import { presentConversation } from "../present";
import { presetUntil, SNOOZE_MAX_MS, type SnoozePreset } from "../snooze-time";
import { announceUpdate } from "./announce-update";

export interface SnoozeRequest {
  /** An instant, or a preset worked out against the conversation's business hours. */
  until?: string | Date | undefined;
  preset?: SnoozePreset | undefined;
  /** The agent's time zone, for presets when there are no business hours. */
  timeZone?: string | undefined;
}

/**
 * Snoozes an open (or in progress) conversation until a time: it leaves the default views until then. Needs the
 * same right as changing its status. Snoozing again moves the time. A feed line and `conversation.updated`.
 */
export async function snoozeConversation(ctx: AppContext, actor: Actor, id: string, req: SnoozeRequest) {
  return transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "changeStatus",
      why: "Only the agent responsible for this conversation can snooze it.",
    });
    if (row.status === "closed") throw conflict("A closed conversation cannot be snoozed: reopen it first.");
    let until: Date | null;
    if (req.until !== undefined) until = new Date(req.until);
    else {
      const schedule = await new HoursCache(tx.q).schedule(row.workspace_id, row.team_id);
      until = presetUntil(req.preset ?? "hour", tx.now, schedule, req.timeZone ?? "UTC");
      if (!until)
        throw badRequest("The business hours do not open within a year: choose a date and time instead.");
    }
    if (until.getTime() <= tx.now.getTime()) throw badRequest("Choose a time in the future to snooze until.");
    if (until.getTime() > tx.now.getTime() + SNOOZE_MAX_MS)
      throw badRequest("A conversation can be snoozed for at most a year: choose an earlier time.");
    await tx.q.query(
      "update conversations set snoozed_until = $2, snoozed_by = $3, updated_at = $4 where id = $1",
      [id, until, actor.userId, tx.now],
    );
    return announceUpdate(tx, row, { kind: "snoozed", byUserId: actor.userId, until: until.toISOString() });
  });
}

/** Ends a conversation's snooze by hand (it comes back to the default views). Not snoozed: nothing changes. */
export async function unsnoozeConversation(ctx: AppContext, actor: Actor, id: string) {
  return transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "changeStatus",
      why: "Only the agent responsible for this conversation can end its snooze.",
    });
    if (!row.snoozed_until) return presentConversation(row);
    await tx.q.query(
      "update conversations set snoozed_until = null, snoozed_by = null, updated_at = $2 where id = $1",
      [id, tx.now],
    );
    return announceUpdate(tx, row, { kind: "unsnoozed", byUserId: actor.userId, reason: "manual" });
  });
}
