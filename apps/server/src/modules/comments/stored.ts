import type { MessageComment } from "@parley/protocol";
import type { InboundEvent } from "../../channels/types";
import type { Tx } from "../../context";

type InboundMessage = Extract<InboundEvent, { kind: "message" }>;

/**
 * What a message keeps about its comment (messages.comment): the post and the comment it answers; an echo
 * (the business's own comment, written at the provider) is a public reply.
 */
export function storedComment(m: InboundMessage): MessageComment | null {
  if (!m.comment) return null;
  const out: MessageComment = { postId: m.comment.postId, parentId: m.comment.parentId };
  if (m.comment.mention) out.mention = m.comment.mention;
  if (m.comment.mentionError) out.mentionError = m.comment.mentionError;
  if (m.echo) {
    out.mode = "public";
    out.replyTo = m.comment.parentId;
  }
  return out;
}

/**
 * The contact a commenter already has on the connection: their direct-message identity (Instagram's comment
 * author id is the id messages come from) or the identity of their comments on another post.
 */
export async function commenterContact(
  tx: Tx,
  connectionId: string,
  authorId: string,
): Promise<{ contact_id: string; blocked: boolean } | null> {
  const [row] = await tx.q.query<{ contact_id: string; blocked: boolean }>(
    `select i.contact_id, c.blocked_at is not null as blocked
     from contact_identities i join contacts c on c.id = i.contact_id
     where i.connection_id = $1 and (i.external_id = $2 or (i.external_id like 'comment:%' and i.external_id like $3))
     order by i.created_at limit 1`,
    [connectionId, authorId, `%:${authorId.replace(/[\\%_]/g, "\\$&")}`],
  );
  return row ?? null;
}
