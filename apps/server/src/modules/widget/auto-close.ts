import { type AppContext, transact } from "../../context";
import { closeConversation } from "../conversations/commands/close-conversation";
import { loadConversationRow } from "../conversations/present";

/**
 * R603: closes the open widget conversations whose visitor has been away from the site (no socket heard
 * from) for longer than the connection's `autoCloseMinutes`. Reads the application's clock, so tests move
 * time instead of waiting. Returns the number closed.
 */
export async function closeAbandonedWidgetConversations(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.db.query<{ id: string; workspace_id: string }>(
    `select c.id, c.workspace_id
     from channel_connections cc
     join conversations c on c.connection_id = cc.id and c.status <> 'closed'
     join contact_identities i on i.id = c.identity_id
     where cc.type = 'widget'
       and c.last_activity_at < $1::timestamptz - make_interval(mins => coalesce((cc.settings->>'autoCloseMinutes')::int, 60))
       and not exists (
         select 1 from widget_visitors v
         where v.connection_id = cc.id and v.external_id = i.external_id
           and v.last_seen_at >= $1::timestamptz - make_interval(mins => coalesce((cc.settings->>'autoCloseMinutes')::int, 60)))
     limit 500`,
    [now],
  );
  let closed = 0;
  for (const d of due) {
    const done = await transact(ctx, async (tx) => {
      const [locked] = await tx.q.query<{ status: string }>(
        "select status from conversations where id = $1 for update",
        [d.id],
      );
      if (!locked || locked.status === "closed") return false;
      const row = (await loadConversationRow(tx.q, d.workspace_id, d.id))!;
      await closeConversation(tx, row, { userId: null, reason: "visitor_left" });
      return true;
    });
    if (done) closed++;
  }
  return closed;
}
