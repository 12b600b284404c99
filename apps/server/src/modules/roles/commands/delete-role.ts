import { type AppContext, type Tx, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { badRequest, conflict, notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { mayChangeRole, mayGrant, normalized } from "../guard";
import { builtInPermissions, loadCustomRole } from "../queries/list-roles";
import type { RoleRef } from "../schema";
import type { AuditSource } from "./create-role";

/**
 * Deletes a custom role, with an audit entry. While people hold it the answer is a 409 naming how many,
 * unless `moveTo` names the role they get instead (supervisor, agent or another custom role); their open
 * sockets then get the new rights at once.
 */
export async function deleteRole(
  ctx: AppContext,
  actor: Actor,
  id: RoleRef,
  moveTo: RoleRef | undefined,
  source: AuditSource,
) {
  await mayChangeRole(ctx.db, actor, id);
  if (id === "supervisor" || id === "agent") throw badRequest("Built-in roles cannot be deleted.");
  if (moveTo === id) throw badRequest("Move the role's people to another role.");
  const moved = await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{ id: string }>(
      "select id from roles where workspace_id = $1 and id = $2 for update",
      [actor.workspaceId, id],
    );
    if (!row) throw notFound("Role");
    const role = (await loadCustomRole(tx.q, actor.workspaceId, id))!;
    const holders = await tx.q.query<{ id: string }>(
      "select id from users where workspace_id = $1 and custom_role_id = $2 order by id for update",
      [actor.workspaceId, id],
    );
    const userIds = holders.map((h) => h.id);
    if (userIds.length && !moveTo)
      throw conflict(
        `${userIds.length === 1 ? "1 person holds" : `${userIds.length} people hold`} the role “${role.name}”: give them another role first, or move them when deleting it.`,
      );
    if (userIds.length && moveTo) await moveHolders(tx, actor, id, moveTo);
    await tx.q.query("delete from roles where workspace_id = $1 and id = $2", [actor.workspaceId, id]);
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "role.deleted",
      targetType: "role",
      targetId: id,
      data: {
        before: { name: role.name, base: role.base, permissions: normalized(role.permissions) },
        after: null,
        ...(userIds.length ? { movedTo: moveTo, userIds } : {}),
      },
      ...source,
      at: tx.now,
    });
    return userIds;
  });
  if (moved.length) ctx.bus.access({ workspaceId: actor.workspaceId, userIds: moved });
}

/** Gives every holder of a custom role another one: a built-in role (supervisor, agent) or a custom role. */
async function moveHolders(tx: Tx, actor: Actor, from: string, to: RoleRef) {
  if (to === "owner" || to === "admin")
    throw badRequest("Move the role's people to supervisor, agent or a custom role.");
  if (to === "supervisor" || to === "agent") {
    mayGrant(actor, [], await builtInPermissions(tx.q, actor.workspaceId, to));
    await tx.q.query(
      "update users set role = $3, custom_role_id = null, updated_at = $4 where workspace_id = $1 and custom_role_id = $2",
      [actor.workspaceId, from, to, tx.now],
    );
    return;
  }
  const target = await loadCustomRole(tx.q, actor.workspaceId, to);
  if (!target) throw notFound("Role");
  mayGrant(actor, [], normalized(target.permissions));
  await tx.q.query(
    "update users set role = $3, custom_role_id = $4, updated_at = $5 where workspace_id = $1 and custom_role_id = $2",
    [actor.workspaceId, from, target.base, target.id, tx.now],
  );
}
