import type { Permission } from "@parley/protocol";
import { type AppContext, type Tx, transact } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import type { Actor } from "../../../domain/permissions";
import { badRequest, notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { mayChangeRole, mayGrant, normalized } from "../guard";
import { builtInPermissions, listRoles, loadCustomRole } from "../queries/list-roles";
import type { RoleRef } from "../schema";
import type { AuditSource } from "./create-role";

export interface RoleChange {
  name?: string;
  permissions?: readonly Permission[];
}

/**
 * Changes the permissions of supervisors or agents (the workspace's own set replaces the defaults), or a
 * custom role's name and permissions, with an audit entry. The new rights reach every open socket of the
 * workspace, in every process, at once.
 */
export async function updateRole(
  ctx: AppContext,
  actor: Actor,
  ref: RoleRef,
  change: RoleChange,
  source: AuditSource,
) {
  await mayChangeRole(ctx.db, actor, ref);
  await transact(ctx, async (tx) => {
    const { before, after } =
      ref === "supervisor" || ref === "agent"
        ? await updateBuiltIn(tx, actor, ref, change)
        : await updateCustom(tx, actor, ref, change);
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "role.updated",
      targetType: "role",
      targetId: ref,
      data: { before, after },
      ...source,
      at: tx.now,
    });
  });
  ctx.bus.access({ workspaceId: actor.workspaceId });
  return (await listRoles(ctx.db, actor.workspaceId)).find((r) => r.id === ref)!;
}

async function updateBuiltIn(tx: Tx, actor: Actor, role: "supervisor" | "agent", change: RoleChange) {
  if (change.name !== undefined) throw badRequest("Built-in roles keep their names; create a custom role.");
  const before = await builtInPermissions(tx.q, actor.workspaceId, role);
  const permissions = normalized(change.permissions ?? before);
  mayGrant(actor, before, permissions);
  await tx.q.query(
    `insert into role_permissions (workspace_id, role, permissions, updated_at) values ($1, $2, $3, $4)
     on conflict (workspace_id, role) do update set permissions = excluded.permissions, updated_at = excluded.updated_at`,
    [actor.workspaceId, role, permissions, tx.now],
  );
  return { before: { permissions: before }, after: { permissions } };
}

async function updateCustom(tx: Tx, actor: Actor, id: string, change: RoleChange) {
  const row = await loadCustomRole(tx.q, actor.workspaceId, id);
  if (!row) throw notFound("Role");
  const before = { name: row.name, permissions: normalized(row.permissions) };
  const after = {
    name: change.name ?? row.name,
    permissions: normalized(change.permissions ?? before.permissions),
  };
  mayGrant(actor, before.permissions, after.permissions);
  await tx.q
    .query(
      "update roles set name = $3, permissions = $4, updated_at = $5 where workspace_id = $1 and id = $2",
      [actor.workspaceId, id, after.name, after.permissions, tx.now],
    )
    .catch(uniqueViolation(`A role named "${after.name}" already exists.`));
  return { before, after };
}
