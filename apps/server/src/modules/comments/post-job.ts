import { z } from "zod";
import type { PostDetails } from "../../channels/types";
import { type AppContext, transact } from "../../context";
import { PermanentFailure } from "../../jobs/queue";
import {
  accessOf,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationFrom,
  presentConversation,
} from "../conversations/present";
import { askProvider, COMMENT_JOB_RETRY, commentJobTarget, failureText, keepPicture } from "./job-target";

export const POST_DETAILS_JOB = "comment.post_details";

const Payload = z.object({ connectionId: z.uuid(), postId: z.string().min(1), workspaceId: z.uuid() });

/**
 * Fetches the details of a post that comments are about (its text, link and picture) through the channel's
 * Graph API, keeps a copy of the picture in Parley's storage (the provider's links expire) and stores them in
 * `social_posts`; the post's conversations are announced with `conversation.updated`. A failure is retried
 * with backoff (30 s, 1, 2, 4, 8 min); a refusal, or the last try, is kept as the post's `error`.
 */
export function registerPostDetailsJob(ctx: AppContext) {
  const store = (
    p: z.infer<typeof Payload>,
    details: (PostDetails & { pictureUrl: string | null }) | null,
    error: string | null,
  ) =>
    transact(ctx, async (tx) => {
      await tx.q.query(
        `update social_posts set text = coalesce($4, text), permalink_url = coalesce($5, permalink_url),
           picture_url = coalesce($6, picture_url), fetched_at = case when $7::text is null then $8 else fetched_at end,
           error = $7, updated_at = $8
         where workspace_id = $1 and connection_id = $2 and post_id = $3`,
        [
          p.workspaceId,
          p.connectionId,
          p.postId,
          details?.text ?? null,
          details?.permalinkUrl ?? null,
          details?.pictureUrl ?? null,
          error,
          tx.now,
        ],
      );
      const conversations = await tx.q.query<ConversationRow>(
        `${CONVERSATION_SELECT} ${conversationFrom()}
         where c.workspace_id = $1 and c.connection_id = $2 and c.kind = 'comment' and c.post_id = $3
         order by c.last_activity_at desc limit 200`,
        [p.workspaceId, p.connectionId, p.postId],
      );
      for (const c of conversations)
        tx.emit(p.workspaceId, {
          type: "conversation.updated",
          conversationId: c.id,
          conversation: presentConversation(c),
          audience: { conversation: accessOf(c) },
        });
    });

  ctx.jobs.register({
    type: POST_DETAILS_JOB,
    payload: Payload,
    ...COMMENT_JOB_RETRY,
    async run(p) {
      const target = await commentJobTarget(ctx, p);
      if (!target?.adapter.commentPost) return;
      const { adapter, info, actx } = target;
      const details = await askProvider(
        () => adapter.commentPost!(info, p.postId, actx),
        (detail) => store(p, null, detail),
      );
      await store(p, { ...details, pictureUrl: await keepPicture(actx, details.pictureUrl) }, null);
    },
    async onDead(p, error) {
      if (error instanceof PermanentFailure) return; // stored already
      await store(p, null, failureText(error));
    },
  });
}
