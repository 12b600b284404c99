import type { Role } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import { kysely } from "../../../db/kysely";
import { type Actor, mustHold } from "../../../domain/permissions";
import { badRequest, forbidden, notFound } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
import { mayGrant, normalized } from "../../roles/guard";
import { builtInPermissions, loadCustomRole } from "../../roles/queries/list-roles";
import { refuseIfRulesUse } from "../../rules/references";
import { presentUser, type UserRow } from "../present";
import { loadUserRow, USER_FIELDS } from "../queries/users";
import { endSessions } from "./end-sessions";

export interface UserChange {
  role?: Exclude<Role, "owner">;
  /** A custom role of the workspace (its base becomes their role), or null to drop it. */
  customRoleId?: string | null;
  status?: "active" | "disabled";
}

/**
 * Changes a person's role (built-in or custom) or deactivates / reactivates them (`people.manage`; admins
 * themselves only by the owner), with an audit entry. Nobody hands out rights they do not hold. A
 * deactivated person is signed out everywhere at once; a new role applies to their next request and, in
 * every process, to their open sockets.
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
  mustHold(actor, "people.manage");
  if (target.id === actor.userId)
    throw forbidden("You cannot change your own role or deactivate yourself: ask another admin.");
  if (target.role === "owner") throw forbidden("The owner's account cannot be changed.");
  if (actor.role !== "owner" && (target.role === "admin" || change.role === "admin"))
    throw forbidden("Only the owner can make, change or deactivate admins.");
  if (change.status === "disabled" && target.status !== "disabled")
    await refuseIfRulesUse(ctx.db, actor.workspaceId, { userId: target.id }, "This person");
  const roleChange = await newRole(ctx, actor, change);
  const user = await transact(ctx, async (tx) => {
    const u = await kysely(tx.q)
      .updateTable("users")
      .set({ ...roleChange, ...(change.status ? { status: change.status } : {}), updated_at: tx.now })
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
      data: {
        before: { role: target.role, customRoleId: target.custom_role_id, status: target.status },
        after: { ...roleChange, ...(change.status ? { status: change.status } : {}) },
      },
      ...source,
      at: tx.now,
    });
    return u as UserRow;
  });
  if (change.status === "disabled") await endSessions(ctx, actor.workspaceId, target.id, null);
  else if (roleChange.role) ctx.bus.access({ workspaceId: actor.workspaceId, userIds: [target.id] });
  return presentUser(user);
}

/**
 * The role columns a change sets: a custom role brings its base, a built-in role drops any custom role.
 * The caller must hold every permission the new role grants.
 */
async function newRole(
  ctx: AppContext,
  actor: Actor,
  change: UserChange,
): Promise<{ role?: Exclude<Role, "owner">; custom_role_id?: string | null }> {
  if (change.customRoleId) {
    if (change.role) throw badRequest("Give either a role or a custom role, not both.");
    const role = await loadCustomRole(ctx.db, actor.workspaceId, change.customRoleId);
    if (!role) throw notFound("Role");
    mayGrant(actor, [], normalized(role.permissions));
    return { role: role.base, custom_role_id: role.id };
  }
  if (!change.role && change.customRoleId === undefined) return {};
  if (!change.role) throw badRequest("Give the built-in role the person gets instead of the custom one.");
  mayGrant(actor, [], await builtInPermissions(ctx.db, actor.workspaceId, change.role));
  return { role: change.role, custom_role_id: null };
}
