import { ALL_PERMISSIONS, PERMISSION_NAMES, type Permission } from "@parley/protocol";
import type { Queryable } from "../../db/client";
import { type Actor, can, mustHold } from "../../domain/permissions";
import { forbidden } from "../../lib/errors";

/** A set of permissions without repeats, in the order of the protocol's list (as stored and audited). */
export const normalized = (permissions: readonly string[]): Permission[] =>
  ALL_PERMISSIONS.filter((p) => permissions.includes(p));

/**
 * Who may give these rights: someone with `people.manage`, and only rights they hold themselves (owners and
 * admins hold all; a supervisor allowed to manage people cannot hand out more than they have).
 */
export function mayGrant(actor: Actor, before: readonly string[], after: readonly Permission[]) {
  mustHold(actor, "people.manage");
  const gained = after.find((p) => !before.includes(p) && !can(actor, p));
  if (gained)
    throw forbidden(
      `You cannot grant the “${PERMISSION_NAMES[gained]}” permission (${gained}): you do not hold it.`,
    );
}

/** The role whose permissions the caller holds: their custom role's id, else their built-in role. */
export async function heldRole(q: Queryable, actor: Actor): Promise<string> {
  const [row] = await q.query<{ custom_role_id: string | null }>(
    "select custom_role_id from users where id = $1",
    [actor.userId],
  );
  return row?.custom_role_id ?? actor.role;
}

/** Nobody changes the role they hold themselves (nor the owner's and admins', which hold every permission). */
export async function mayChangeRole(q: Queryable, actor: Actor, ref: string) {
  mustHold(actor, "people.manage");
  if (ref === "owner" || ref === "admin")
    throw forbidden("Owners and admins hold every permission: their roles cannot be changed.");
  if ((await heldRole(q, actor)) === ref)
    throw forbidden("You cannot change the role you hold yourself: ask another admin.");
}
