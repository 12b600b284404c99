import type { AppContext } from "../../context";
import { type Actor, conversationPolicy } from "../../domain/permissions";
import { accessOf, loadConversationRow } from "../conversations/present";

/** How long a socket trusts what it learnt of a conversation's readers before asking again. */
const ACCESS_TTL_MS = 30_000;

/**
 * One agent socket's typing: relays "typing" in a conversation the agent may read to the others who may
 * read it. What the agent may read is cached for a while (typing comes several times a second).
 */
export function typingRelay(ctx: AppContext, actor: Actor) {
  const access = new Map<string, { ok: boolean; at: number; audience: ReturnType<typeof accessOf> | null }>();
  return async (conversationId: string, on: boolean) => {
    const now = ctx.clock.now().getTime();
    let known = access.get(conversationId);
    if (!known || now - known.at > ACCESS_TTL_MS) {
      const row = await loadConversationRow(ctx.db, actor.workspaceId, conversationId);
      const ok = !!row && conversationPolicy(actor, accessOf(row)).read;
      known = { ok, at: now, audience: row ? accessOf(row) : null };
      access.set(conversationId, known);
    }
    if (!known.ok || !known.audience) return;
    ctx.bus.signal({
      workspaceId: actor.workspaceId,
      audience: { conversation: known.audience },
      signal: { type: "typing", conversationId, userId: actor.userId, contact: false, on },
    });
  };
}
