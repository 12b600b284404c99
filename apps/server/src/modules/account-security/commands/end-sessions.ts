import { type AppContext, transact } from "../../../context";
import type { RequestActor } from "../../../http/types";
import { notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { loadUserRow } from "../../users/queries/users";
import { assertManages, type Source } from "./password-reset";

/** Which of a person's sessions to end: one (by its public id), or all but the caller's own. */
export type Which = { session: string } | { allBut: string | null };

/**
 * Ends sessions of a person with an audit entry naming who ended which, and closes their sockets in every
 * process. Answers how many ended (404 when one session was asked for and is not theirs or already ended).
 */
export async function endPersonSessions(
  ctx: AppContext,
  actor: RequestActor,
  userId: string,
  which: Which,
  source: Source,
): Promise<number> {
  const ended = await transact(ctx, async (tx) => {
    const rows =
      "session" in which
        ? await tx.q.query<{ id: string; public_id: string }>(
            `delete from sessions where user_id = $1 and workspace_id = $2 and public_id = $3::uuid
             returning id, public_id`,
            [userId, actor.workspaceId, which.session],
          )
        : await tx.q.query<{ id: string; public_id: string }>(
            `delete from sessions where user_id = $1 and workspace_id = $2 and id <> coalesce($3, '')
             returning id, public_id`,
            [userId, actor.workspaceId, which.allBut],
          );
    if ("session" in which && !rows.length) throw notFound("The session (it may have ended already)");
    if (rows.length)
      await recordAudit(tx.q, {
        workspaceId: actor.workspaceId,
        userId: actor.userId,
        action: "session.ended",
        targetType: "user",
        targetId: userId,
        data: {
          by: actor.userId === userId ? "self" : "admin",
          sessions: rows.map((r) => r.public_id),
          scope: "session" in which ? "one" : "all",
        },
        ...source,
        at: tx.now,
      });
    return rows;
  });
  if (ended.length) ctx.bus.access({ workspaceId: actor.workspaceId, sessionIds: ended.map((r) => r.id) });
  return ended.length;
}

/** An admin ends one or all sessions of a person of the workspace. */
export async function endSessionsOf(
  ctx: AppContext,
  actor: RequestActor,
  targetId: string,
  which: { session: string } | "all",
  source: Source,
) {
  const target = await loadUserRow(ctx.db, actor.workspaceId, targetId);
  if (!target) throw notFound("User");
  assertManages(actor, target);
  // An admin ending their own sessions from the People panel keeps the one they are using.
  const keep = target.id === actor.userId ? (actor.sessionId ?? null) : null;
  return endPersonSessions(ctx, actor, target.id, which === "all" ? { allBut: keep } : which, source);
}
