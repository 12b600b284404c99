import { PRESENCE_TIMEOUT_MS } from "../../channels/widget/adapter";
import type { AppContext } from "../../context";

/** How far back replies still marked "sent" are looked for (older ones are left as they are). */
const LOOKBACK_DAYS = 7;

/**
 * R301 for the web chat: a reply handed to the widget while the visitor was still counted as present (their
 * last heartbeat under a minute old) but that their widget never acknowledged stays "sent" unless something
 * decides. Once the visitor is confirmed gone (no socket of theirs heard from for `PRESENCE_TIMEOUT_MS`),
 * such replies fail with `visitor_left`, as a reply sent after they left does. The failure goes through the
 * ingest queue as an ordinary status report, so the delivery-state machine decides; if the visitor comes
 * back, the widget's "received" turns the reply into delivered (a success report beats a failure).
 * Reads `ctx.clock`, so tests move time instead of waiting. Returns the number of replies reported.
 */
export async function failRepliesToDepartedVisitors(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const rows = await ctx.db.query<{ id: string; connection_id: string; workspace_id: string }>(
    `select m.id, cc.id as connection_id, cc.workspace_id
     from channel_connections cc
     join conversations c on c.connection_id = cc.id
       and c.last_activity_at >= $1::timestamptz - make_interval(days => $3)
     join contact_identities i on i.id = c.identity_id
     join messages m on m.conversation_id = c.id and m.direction = 'outbound' and m.kind = 'message'
       and m.delivery_state = 'sent'
     where cc.type = 'widget'
       and not exists (
         select 1 from widget_visitors v
         where v.connection_id = cc.id and v.external_id = i.external_id
           and v.last_seen_at >= $1::timestamptz - make_interval(secs => $2))
     order by m.created_at limit 500`,
    [now, PRESENCE_TIMEOUT_MS / 1000, LOOKBACK_DAYS],
  );
  const byConnection = new Map<string, { workspaceId: string; ids: string[] }>();
  for (const r of rows) {
    const entry = byConnection.get(r.connection_id) ?? { workspaceId: r.workspace_id, ids: [] };
    entry.ids.push(r.id);
    byConnection.set(r.connection_id, entry);
  }
  for (const [connectionId, { workspaceId, ids }] of byConnection) {
    await ctx.ingest.submit(
      { id: connectionId, workspaceId, type: "widget" },
      ids.map((id) => ({
        kind: "status" as const,
        providerMessageId: id,
        state: "failed" as const,
        reason: "visitor_left" as const,
        detail:
          "The visitor left the site before the reply reached them; they will see it if they come back.",
        at: now,
      })),
    );
  }
  return rows.length;
}
