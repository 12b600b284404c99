import type { ConversationPermissions } from "@parley/protocol";
import type { Queryable } from "../../db/client";
import { type Actor, conversationPolicy } from "../../domain/permissions";
import { forbidden, notFound } from "../../lib/errors";
import { accessOf, type ConversationRow, loadConversationRow } from "./present";

/**
 * Loads a conversation the actor may read (404 otherwise: another workspace's or a hidden conversation
 * looks the same as a missing one), optionally locking its row for the rest of the transaction.
 */
export async function conversationForActor(
  q: Queryable,
  actor: Actor,
  id: string,
  opts: { lock?: boolean; need?: keyof ConversationPermissions; why?: string } = {},
): Promise<{ row: ConversationRow; policy: ConversationPermissions }> {
  if (opts.lock) {
    const locked = await q.query(
      "select 1 from conversations where workspace_id = $1 and id = $2 for update",
      [actor.workspaceId, id],
    );
    if (!locked.length) throw notFound("Conversation");
  }
  const row = await loadConversationRow(q, actor.workspaceId, id);
  if (!row) throw notFound("Conversation");
  const policy = conversationPolicy(actor, accessOf(row));
  if (!policy.read) throw notFound("Conversation");
  if (opts.need && !policy[opts.need])
    throw forbidden(opts.why ?? "You are not allowed to do this with this conversation.");
  return { row, policy };
}
