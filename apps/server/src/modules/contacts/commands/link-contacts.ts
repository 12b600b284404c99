import type { AppContext } from "../../../context";
import { kysely } from "../../../db/kysely";
import type { Actor } from "../../../domain/permissions";
import { AppError, notFound } from "../../../lib/errors";

/** A link is stored once, smaller id first, whichever side it was made from. */
const pair = (a: string, b: string) => (a < b ? [a, b] : [b, a]);

/** Links two contacts of the workspace; linking twice changes nothing. */
export async function linkContacts(
  ctx: AppContext,
  actor: Actor,
  id: string,
  otherId: string,
): Promise<void> {
  const k = kysely(ctx.db);
  const found = await k
    .selectFrom("contacts")
    .select("id")
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "in", [id, otherId])
    .execute();
  if (found.length !== new Set([id, otherId]).size) throw notFound("Contact");
  if (id === otherId) throw new AppError("validation_failed", "A contact cannot be linked to itself.");
  const [a, b] = pair(id, otherId);
  await k
    .insertInto("contact_links")
    .values({
      workspace_id: actor.workspaceId,
      contact_a: a!,
      contact_b: b!,
      created_by: actor.userId,
      created_at: ctx.clock.now(),
    })
    .onConflict((oc) => oc.columns(["contact_a", "contact_b"]).doNothing())
    .execute();
}

/** Removes the link between two contacts; both contacts stay. */
export async function unlinkContacts(ctx: AppContext, workspaceId: string, id: string, otherId: string) {
  const [a, b] = pair(id, otherId);
  const removed = await kysely(ctx.db)
    .deleteFrom("contact_links")
    .where("workspace_id", "=", workspaceId)
    .where("contact_a", "=", a!)
    .where("contact_b", "=", b!)
    .returning("contact_a")
    .executeTakeFirst();
  if (!removed) throw notFound("Contact link");
}
