import { z } from "zod";
import type { Queryable } from "../../db/client";
import type { StoredEvent } from "../../events/store";
import {
  accessOf,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationFrom,
  presentConversation,
} from "../conversations/present";
import { SCOPE_OF_C } from "../distribution/scope";

/**
 * "New conversation" in a scope that distributes automatically: distribution gives it to an agent within
 * moments, and that agent is notified of the assignment, so telling every agent it is waiting is noise (and
 * a notification row and an event per agent for every arrival). The fan-out leaves those out; the
 * distribution job asks for this job with the new conversations it could not give to anyone, and those
 * notify as before (the same recipients, settings, mutes and dedupe key as at arrival).
 */
export const JOB_WAITING = "notify.waiting";
export const WaitingPayload = z.object({ workspaceId: z.uuid(), conversationIds: z.array(z.uuid()) });

/** Of these conversations, those whose scope (team's settings, else connection's) distributes now. */
export async function distributedNow(q: Queryable, conversationIds: string[]): Promise<Set<string>> {
  if (!conversationIds.length) return new Set();
  const rows = await q.query<{ id: string }>(
    `select c.id from conversations c ${SCOPE_OF_C} where c.id = any($1::uuid[]) and s.mode <> 'manual'`,
    [conversationIds],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * The conversations, of those given, still unassigned, as `conversation.created` events as the fan-out reads
 * them from the log (the conversation as it is now, and who may see it), in one statement.
 */
export async function waitingEvents(
  q: Queryable,
  workspaceId: string,
  conversationIds: string[],
): Promise<StoredEvent[]> {
  if (!conversationIds.length) return [];
  const rows = await q.query<ConversationRow>(
    `${CONVERSATION_SELECT} ${conversationFrom()}
     where c.workspace_id = $1 and c.id = any($2::uuid[]) and c.assignee_id is null
     order by c.number`,
    [workspaceId, conversationIds],
  );
  return rows.map((r) => ({
    event: {
      type: "conversation.created",
      conversationId: r.id,
      conversation: presentConversation(r),
      workspaceId,
      seq: 0,
      at: new Date().toISOString(),
    },
    audience: { conversation: accessOf(r) },
  }));
}
