import { type AppContext, transact } from "../../../context";
import { HoursCache, workingMsBetween } from "../../hours/api";
import { PRESENCE_FRESH_MS, SCOPE_OF_C } from "../scope";
import { AWAKE_AT, announceHandover, type DistributionReason } from "./distribute";

export const ASSIGN_JOB = "distribution.assign";

/** Since when the agent owes an answer: the customer's unanswered message, or the assignment when later. */
const OWED_SINCE = "greatest(c.first_unanswered_at, d.assigned_at)";

/**
 * The reply timeout's deadline check in plain elapsed time, in SQL over `c` (conversation), `s` (scope) and
 * `d` (when distribution gave it to the agent): `OWED_SINCE` plus the scope's minutes is past `$2`. Working
 * time is never more than elapsed time, so this finds every candidate; the working-hours check follows.
 */
const REPLY_OVERDUE = `s.reply_timeout_minutes is not null and c.first_unanswered_at is not null
  and ${OWED_SINCE} + s.reply_timeout_minutes * interval '1 minute' <= $2`;

/**
 * Finds the workspace's (or every workspace's) conversations that go back to distribution: their agent has
 * not answered the customer within the scope's reply timeout (counted in the team's business hours, else
 * the workspace's, when set), or is offline or on vacation while the customer waits for an answer. Snoozed
 * conversations stay with their agent until they wake. Each goes back in its own transaction; answers how
 * many went back.
 */
export async function reassignOverdue(ctx: AppContext, workspaceId: string | null = null) {
  const now = ctx.clock.now();
  const due = await ctx.db.query<{
    id: string;
    workspace_id: string;
    team_id: string | null;
    assignee_id: string;
    reply_due: boolean;
    away: boolean;
    owed_since: Date | null;
    timeout_minutes: number | null;
  }>(
    `select c.id, c.workspace_id, c.team_id, c.assignee_id, coalesce(${REPLY_OVERDUE}, false) as reply_due,
       (s.reassign_when_away and c.first_unanswered_at is not null and (coalesce(a.on_vacation, false)
         or not exists (select 1 from presence_sockets p where p.user_id = c.assignee_id
                        and p.state = 'online' and p.seen_at > $3))) as away,
       ${OWED_SINCE} as owed_since, s.reply_timeout_minutes as timeout_minutes
     from conversations c ${SCOPE_OF_C}
     left join agent_distribution a on a.user_id = c.assignee_id
     left join distribution_assignments d on d.conversation_id = c.id and d.user_id = c.assignee_id
     where c.assignee_id is not null and c.status <> 'closed' and s.mode <> 'manual'
       and ($1::uuid is null or c.workspace_id = $1) and ${AWAKE_AT(2)}
       and ((${REPLY_OVERDUE})
         or (s.reassign_when_away and c.first_unanswered_at is not null and (coalesce(a.on_vacation, false)
           or not exists (select 1 from presence_sockets p where p.user_id = c.assignee_id
                          and p.state = 'online' and p.seen_at > $3))))
     order by c.first_unanswered_at limit 500`,
    [workspaceId, now, new Date(now.getTime() - PRESENCE_FRESH_MS)],
  );
  const hours = new HoursCache(ctx.db);
  let moved = 0;
  for (const c of due) {
    const replyDue =
      c.reply_due &&
      (await workingMsBetween(hours, c.workspace_id, c.team_id, c.owed_since!, now)) >=
        c.timeout_minutes! * 60_000;
    const reason: DistributionReason | null = replyDue ? "reply_timeout" : c.away ? "agent_away" : null;
    if (reason && (await sendBack(ctx, c.workspace_id, c.id, c.assignee_id, reason))) moved++;
  }
  return moved;
}

/**
 * Takes a conversation from its agent (if it is still theirs) back to distribution, or to the scope's
 * fallback team, with a line in the feed saying why; the assign job then picks someone else.
 */
async function sendBack(
  ctx: AppContext,
  workspaceId: string,
  id: string,
  from: string,
  reason: DistributionReason,
) {
  return transact(ctx, async (tx) => {
    const [c] = await tx.q.query<{ fallback_team_id: string | null }>(
      `select s.fallback_team_id from conversations c ${SCOPE_OF_C}
       where c.id = $1 and c.assignee_id = $2 and c.status <> 'closed' and ${AWAKE_AT(3)} for update of c`,
      [id, from, tx.now],
    );
    if (!c) return false;
    await tx.q.query(
      `update conversations set assignee_id = null, team_id = coalesce($2::uuid, team_id), updated_at = $3
       where id = $1`,
      [id, c.fallback_team_id, tx.now],
    );
    await announceHandover(tx, workspaceId, id, from, { kind: "unassigned", from, to: null, reason });
    await tx.enqueue(ASSIGN_JOB, { conversationIds: [id], exclude: from }, { workspaceId });
    return true;
  });
}
