import type { Db } from "../../../db/client";
import type { Actor } from "../../../domain/permissions";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../../messages/present";
import { conversationForActor } from "../access";
import type { FeedQuery } from "../schema";

/** A page of a conversation's feed: the latest messages, or those before or after a seq, oldest first. */
export async function feedPage(
  db: Db,
  actor: Actor,
  conversationId: string,
  { before, after, limit }: FeedQuery,
) {
  await conversationForActor(db, actor, conversationId);
  const ascending = after !== undefined;
  const rows = await db.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages where conversation_id = $1
       ${before !== undefined ? "and seq < $3" : ""} ${ascending ? "and seq > $3" : ""}
     order by seq ${ascending ? "asc" : "desc"} limit $2`,
    before !== undefined || ascending
      ? [conversationId, limit + 1, before ?? after]
      : [conversationId, limit + 1],
  );
  const page = rows.slice(0, limit);
  if (!ascending) page.reverse();
  return { messages: page.map(presentMessage), hasMore: rows.length > limit };
}
