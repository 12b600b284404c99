import type { Role } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import { kysely } from "../../../db/kysely";
import { type Actor, can } from "../../../domain/permissions";
import { forbidden, notFound } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
import { presentUser, type UserRow } from "../present";
import { loadUserRow, USER_FIELDS } from "../queries/users";
import { endSessions } from "./end-sessions";

export interface UserChange {
  role?: Exclude<Role, "owner">;
  status?: "active" | "disabled";
}

/**
 * Changes a person's role or deactivates / reactivates them (admins; admins themselves only by the owner),
 * with an audit entry. A deactivated person is signed out everywhere at once; a new role applies to their
 * next request and, in every process, to their open sockets.
 */
export async function updateUser(
  ctx: AppContext,
  actor: Actor,
  targetId: string,
  change: UserChange,
  source: AuditSource,
) {
  const target = await loadUserRow(ctx.db, actor.workspaceId, targetId);
  if (!target) throw notFound("User");
  if (!can(actor, "people.manage")) throw forbidden("Only owners and admins manage people.");
  if (target.id === actor.userId)
    throw forbidden("You cannot change your own role or deactivate yourself: ask another admin.");
  if (target.role === "owner") throw forbidden("The owner's account cannot be changed.");
  if (actor.role !== "owner" && (target.role === "admin" || change.role === "admin"))
    throw forbidden("Only the owner can make, change or deactivate admins.");
  const user = await transact(ctx, async (tx) => {
    const u = await kysely(tx.q)
      .updateTable("users")
      .set({ ...change, updated_at: tx.now })
      .where("id", "=", target.id)
      .where("workspace_id", "=", actor.workspaceId)
      .returning(USER_FIELDS)
      .executeTakeFirstOrThrow();
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "user.updated",
      targetType: "user",
      targetId: target.id,
      data: { before: { role: target.role, status: target.status }, after: change },
      ...source,
      at: tx.now,
    });
    return u as UserRow;
  });
  if (change.status === "disabled") await endSessions(ctx, actor.workspaceId, target.id, null);
  else if (change.role) ctx.bus.access({ workspaceId: actor.workspaceId, userIds: [target.id] });
  return presentUser(user);
}
