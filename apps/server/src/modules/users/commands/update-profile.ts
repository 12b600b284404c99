import type { AppContext } from "../../../context";
import { kysely } from "../../../db/kysely";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { presentUser, type UserRow } from "../present";
import { USER_FIELDS } from "../queries/users";

/** Changes my name or language (only what is given). */
export async function updateProfile(
  ctx: AppContext,
  actor: Actor,
  change: { name?: string; locale?: string },
) {
  const u = await kysely(ctx.db)
    .updateTable("users")
    .set({ ...change, updated_at: ctx.clock.now() })
    .where("id", "=", actor.userId)
    .where("workspace_id", "=", actor.workspaceId)
    .returning(USER_FIELDS)
    .executeTakeFirst();
  if (!u) throw notFound("User");
  return presentUser(u as UserRow);
}
