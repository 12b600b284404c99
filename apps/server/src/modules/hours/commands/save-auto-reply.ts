import type { z } from "zod";
import type { AppContext } from "../../../context";
import { notFound } from "../../../lib/errors";
import type { AutoReplyInput } from "../schema";

/** Sets a connection's outside-hours reply: on or off, its texts and the language sent. */
export async function saveAutoReply(
  ctx: AppContext,
  workspaceId: string,
  connectionId: string,
  input: z.infer<typeof AutoReplyInput>,
) {
  const texts = Object.fromEntries(Object.entries(input.texts).filter(([, v]) => !!v));
  const rows = await ctx.db.query(
    `insert into outside_hours_replies (connection_id, workspace_id, enabled, texts, language, updated_at)
     select cc.id, cc.workspace_id, $3, $4, $5, $6 from channel_connections cc where cc.id = $1 and cc.workspace_id = $2
     on conflict (connection_id) do update set enabled = excluded.enabled, texts = excluded.texts,
       language = excluded.language, updated_at = excluded.updated_at
     returning connection_id`,
    [connectionId, workspaceId, input.enabled, JSON.stringify(texts), input.language, ctx.clock.now()],
  );
  if (!rows.length) throw notFound("Connection");
}
