import { type AppContext, transact } from "../../../context";
import { dbTimeParams } from "../../../lib/time";
import { enqueueDistribution } from "../../distribution/jobs";
import { createNotification } from "../../notifications/create";
import { anyMeans, loadSettings } from "../../notifications/settings";
import { type ConversationRow, loadConversationRow } from "../present";
import { announceUpdate } from "./announce-update";

/** How many due snoozes one run wakes (the next run takes the rest). */
const WAKE_BATCH = 500;
/** The database's time (see lib/time.ts): `$1` and `$2` are dbTimeParams. */
const DB_NOW = "coalesce($1::timestamptz, now() + $2::double precision * interval '1 millisecond')";

/**
 * Wakes the conversations whose snooze time has come, by the database's clock: each comes back to the default
 * views with a feed line and `conversation.updated`, and its responsible agent is notified. Run by the
 * `snooze-wake` scheduled task, once per slot across workers; each wake is its own transaction that takes the
 * row lock and clears the snooze only if it is still due, so a conversation is woken once even if two runs
 * overlap, and one snoozed again in the meantime is left alone. An unassigned one in a distributing scope gets
 * a distribution job. Returns how many were woken.
 */
export async function wakeDueSnoozes(ctx: AppContext): Promise<number> {
  const due = await ctx.db.query<{ id: string; workspace_id: string }>(
    `select id, workspace_id from conversations
     where snoozed_until is not null and snoozed_until <= ${DB_NOW}
     order by snoozed_until limit ${WAKE_BATCH}`,
    dbTimeParams(ctx.clock),
  );
  let woken = 0;
  for (const d of due) if (await wakeOne(ctx, d.workspace_id, d.id)) woken++;
  return woken;
}

async function wakeOne(ctx: AppContext, workspaceId: string, id: string): Promise<boolean> {
  return transact(ctx, async (tx) => {
    // The row lock makes a second run wait here, then find the snooze cleared (or moved) and leave it.
    const [locked] = await tx.q.query<{ until: Date | null; due: boolean | null }>(
      `select snoozed_until as until, snoozed_until <= ${DB_NOW} as due
       from conversations where id = $3 and workspace_id = $4 for update`,
      [...dbTimeParams(ctx.clock), id, workspaceId],
    );
    if (!locked?.until || !locked.due) return false;
    await tx.q.query(
      "update conversations set snoozed_until = null, snoozed_by = null, updated_at = $2 where id = $1",
      [id, tx.now],
    );
    const cleared = { until: locked.until };
    const row = (await loadConversationRow(tx.q, workspaceId, id))!;
    await announceUpdate(tx, row, { kind: "unsnoozed", byUserId: null, reason: "time" });
    await notifyAssignee(ctx, tx, row, cleared.until);
    // Awake and waiting for an agent: distribution considers it again now rather than at the next sweep.
    if (!row.assignee_id) await enqueueDistribution(tx, workspaceId, [id]);
    return true;
  });
}

/**
 * Tells the responsible agent the conversation is back, in the app and by browser push when they are told of
 * assignments that way (a woken conversation is one handed back to them); not when they muted it.
 */
async function notifyAssignee(
  ctx: AppContext,
  tx: Parameters<typeof createNotification>[1],
  row: ConversationRow,
  until: Date,
) {
  if (!row.assignee_id) return;
  const [muted] = await tx.q.query(
    "select 1 from conversation_mutes where user_id = $1 and conversation_id = $2",
    [row.assignee_id, row.id],
  );
  if (muted) return;
  const settings = (await loadSettings(tx.q, [row.assignee_id])).get(row.assignee_id);
  if (!settings) return;
  const assigned = settings.matrix.assigned;
  const means = { inApp: assigned.inApp, push: assigned.push, email: false, sms: false };
  if (!anyMeans(means)) return;
  await createNotification(ctx, tx, {
    workspaceId: row.workspace_id,
    userId: row.assignee_id,
    kind: "snooze_ended",
    conversationId: row.id,
    messageId: null,
    title: row.contact_name ?? row.contact_nickname ?? row.contact_email ?? row.contact_phone ?? "",
    body: row.last_message_preview ?? "",
    dedupeKey: `snooze_ended:${row.id}:${until.getTime()}`,
    means,
    settings,
  });
}
