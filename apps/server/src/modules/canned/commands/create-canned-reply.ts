import type { AppContext } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import { kysely } from "../../../db/kysely";
import type { Actor } from "../../../domain/permissions";
import { CANNED_COLUMNS, presentCanned } from "../present";

export interface CannedInput {
  shortcut: string;
  title: string;
  text: string;
}

/** Adds a canned reply to the workspace; a shortcut already taken is a 409. */
export async function createCannedReply(ctx: AppContext, actor: Actor, input: CannedInput) {
  const now = ctx.clock.now();
  const row = await kysely(ctx.db)
    .insertInto("canned_replies")
    .values({
      workspace_id: actor.workspaceId,
      ...input,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    })
    .returning(CANNED_COLUMNS)
    .executeTakeFirstOrThrow()
    .catch(uniqueViolation(`The shortcut /${input.shortcut} is taken.`));
  return presentCanned(row);
}
