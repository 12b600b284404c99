import type { AppContext } from "../../../context";
import { type Actor, mustHold } from "../../../domain/permissions";
import { listConversationIds } from "../../conversations/list";
import { BULK_MAX, type BulkInput } from "../schema";

/**
 * How many conversations "select all" would act on: the caller's view of the filter, at most `BULK_MAX`,
 * and whether more match than that (the confirmation then says "the first 1,000").
 */
export async function countSelection(
  ctx: AppContext,
  actor: Actor,
  filter: NonNullable<BulkInput["filter"]>,
) {
  mustHold(actor, "conversations.bulk");
  const ids = await listConversationIds(ctx.db, actor, filter, BULK_MAX + 1);
  return { count: Math.min(ids.length, BULK_MAX), more: ids.length > BULK_MAX };
}
