import type { AppContext } from "../../../context";
import type { Visitor } from "../visitors";

/**
 * Receipts: the agent messages up to this position reached the widget / were seen in it. They go through
 * the ingest queue as status reports (by the message's own id, which `send` answers as the provider id).
 * A reply that failed because the visitor had left counts too: they came back and got it (delivered beats
 * the failure in the state machine). Returns true when some of them are still being sent: the caller asks
 * again a moment later.
 */
export async function acknowledgeReceipts(
  ctx: AppContext,
  visitor: Visitor,
  conversationId: string,
  state: "delivered" | "read",
  upTo: number,
): Promise<boolean> {
  const rows = await ctx.db.query<{ id: string; delivery_state: string }>(
    `select id, delivery_state from messages where conversation_id = $1 and seq <= $2
       and direction = 'outbound' and kind = 'message'
       and (delivery_state = any($3::text[]) or (delivery_state = 'failed' and failure_reason = 'visitor_left'))
     order by seq limit 500`,
    [conversationId, upTo, state === "delivered" ? ["queued", "sent"] : ["queued", "sent", "delivered"]],
  );
  const ready = rows.filter((r) => r.delivery_state !== "queued");
  if (ready.length) {
    const at = ctx.clock.now();
    await ctx.ingest.submit(
      { id: visitor.connectionId, workspaceId: visitor.workspaceId, type: "widget" },
      ready.map((r) => ({ kind: "status" as const, providerMessageId: r.id, state, at })),
    );
  }
  return ready.length < rows.length;
}
