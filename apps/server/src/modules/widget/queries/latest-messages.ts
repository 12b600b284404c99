import type { WidgetMessage } from "@parley/protocol";
import type { AppContext } from "../../../context";
import { visitorMessages } from "../visitors";

/** The newest 200 messages of the conversation a visitor may see, oldest first. */
export async function latestVisitorMessages(
  ctx: AppContext,
  conversationId: string,
): Promise<WidgetMessage[]> {
  const [row] = await ctx.db.query<{ seq: string | null }>(
    `select min(seq) as seq from (select seq from messages where conversation_id = $1 and kind = 'message'
       and direction in ('inbound', 'outbound') order by seq desc limit 200) x`,
    [conversationId],
  );
  return visitorMessages(ctx, conversationId, Number(row?.seq ?? 1) - 1);
}
