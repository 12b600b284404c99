import type { EditableRole, Permission } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import type { Actor } from "../../../domain/permissions";
import { recordAudit } from "../../audit/record";
import { mayGrant, normalized } from "../guard";
import { listRoles } from "../queries/list-roles";

export interface AuditSource {
  ip: string | null;
  userAgent: string | null;
}

/** Creates a custom role (409 when the name is taken), with an audit entry; nobody holds it yet. */
export async function createRole(
  ctx: AppContext,
  actor: Actor,
  input: { name: string; base: EditableRole; permissions: readonly Permission[] },
  source: AuditSource,
) {
  const permissions = normalized(input.permissions);
  mayGrant(actor, [], permissions);
  const id = await transact(ctx, async (tx) => {
    const [row] = await tx.q
      .query<{ id: string }>(
        `insert into roles (workspace_id, name, base, permissions, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $5) returning id`,
        [actor.workspaceId, input.name, input.base, permissions, tx.now],
      )
      .catch(uniqueViolation(`A role named "${input.name}" already exists.`));
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "role.created",
      targetType: "role",
      targetId: row!.id,
      data: { before: null, after: { name: input.name, base: input.base, permissions } },
      ...source,
      at: tx.now,
    });
    return row!.id;
  });
  return (await listRoles(ctx.db, actor.workspaceId)).find((r) => r.id === id)!;
}
