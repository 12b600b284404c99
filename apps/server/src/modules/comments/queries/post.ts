import type { SocialPost } from "@parley/protocol";
import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { iso } from "../../../lib/time";
import { conversationForActor } from "../../conversations/access";

/** The post a comment conversation is about (null for a direct conversation, or before its first comment). */
export async function conversationPost(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
): Promise<{ post: SocialPost | null }> {
  const { row } = await conversationForActor(ctx.db, actor, conversationId);
  if (row.kind !== "comment" || !row.post_id) return { post: null };
  const [p] = await ctx.db.query<{
    post_id: string;
    text: string | null;
    permalink_url: string | null;
    picture_url: string | null;
    fetched_at: Date | null;
    error: string | null;
  }>(
    `select post_id, text, permalink_url, picture_url, fetched_at, error from social_posts
     where workspace_id = $1 and connection_id = $2 and post_id = $3`,
    [actor.workspaceId, row.connection_id, row.post_id],
  );
  return {
    post: {
      postId: row.post_id,
      text: p?.text ?? null,
      permalinkUrl: p?.permalink_url ?? null,
      pictureUrl: p?.picture_url ?? null,
      fetchedAt: iso(p?.fetched_at ?? null),
      error: p?.error ?? null,
    },
  };
}
