import { Role } from "@parley/protocol";
import { z } from "zod";
import { type AppContext, transact } from "../../../context";
import type { Queryable } from "../../../db/client";
import type { Actor } from "../../../domain/permissions";
import { forbidden } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";

const Stored = z.array(Role).catch([]);
/** Roles only the owner may add to or take from the policy: those who run the workspace. */
const OWNER_DECIDES: readonly Role[] = ["owner", "admin"];

/** The roles whose people must use two-factor sign-in (R802); none by default. */
export async function requiredRoles(q: Queryable, workspaceId: string): Promise<Role[]> {
  const [row] = await q.query<{ roles: unknown }>(
    "select settings -> 'twoFactorRoles' as roles from workspaces where id = $1",
    [workspaceId],
  );
  return Stored.parse(row?.roles ?? []);
}

export const requiresTwoFactor = async (q: Queryable, user: { workspace_id: string; role: Role }) =>
  (await requiredRoles(q, user.workspace_id)).includes(user.role);

/**
 * Chooses the roles that must use two-factor sign-in. Whoever manages the workspace (checked by the route)
 * decides for supervisors and agents; only the owner adds or removes owners and admins, so an admin can
 * neither impose the rule on the owner nor lift it from admins. Audited with the roles before and after.
 * A role newly required holds for sessions already open too: every process re-checks the workspace's sockets
 * (those of people who must now set it up are closed with 4003) and their next request asks for the setup.
 */
export async function setTwoFactorPolicy(
  ctx: AppContext,
  actor: Actor,
  roles: readonly Role[],
  source: { ip: string | null; userAgent: string | null },
) {
  const after = Role.options.filter((r) => roles.includes(r));
  const { before } = await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{ roles: unknown }>(
      "select settings -> 'twoFactorRoles' as roles from workspaces where id = $1 for update",
      [actor.workspaceId],
    );
    const before = Stored.parse(row?.roles ?? []);
    const touched = OWNER_DECIDES.filter((r) => before.includes(r) !== after.includes(r));
    if (touched.length > 0 && actor.role !== "owner")
      throw forbidden("Only the owner decides whether owners and admins must use two-factor sign-in.");
    await tx.q.query(
      `update workspaces set settings = settings || jsonb_build_object('twoFactorRoles', $2::jsonb)
       where id = $1`,
      [actor.workspaceId, JSON.stringify(after)],
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "workspace.two_factor_policy",
      targetType: "workspace",
      targetId: actor.workspaceId,
      data: { before, after },
      ...source,
      at: tx.now,
    });
    return { before };
  });
  if (after.some((r) => !before.includes(r))) ctx.bus.access({ workspaceId: actor.workspaceId });
  return after;
}
