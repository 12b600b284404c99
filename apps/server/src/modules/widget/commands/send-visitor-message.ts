import { countNonSpace, LIMITS } from "@parley/protocol";
import type { InboundEvent } from "../../../channels/types";
import type { AppContext } from "../../../context";
import { AppError, notFound } from "../../../lib/errors";
import { MESSAGE_COLUMNS, type MessageRow } from "../../messages/present";
import type { WidgetHub } from "../hub";
import { presentForVisitor } from "../present";
import type { MessageBody } from "../schema";
import { providerIdFor, type Visitor, visitorConversation, visitorMessages } from "../visitors";

function checkText(text: string | null, fileCount: number) {
  if (!text && fileCount === 0) throw new AppError("validation_failed", "Write a message or attach a file.");
  if (text && countNonSpace(text) > LIMITS.messageNonSpaceChars) {
    throw new AppError(
      "validation_failed",
      `A message may have at most ${LIMITS.messageNonSpaceChars} characters besides spaces.`,
    );
  }
}

/** The first message opens the conversation: the pre-chat form's required fields must be filled in. */
function checkPreChat(visitor: Visitor) {
  const pc = visitor.settings.preChat;
  const missing = (["name", "email", "phone"] as const).filter(
    (f) => pc[f] === "required" && !visitor.contact[f],
  );
  if (missing.length) {
    throw new AppError("validation_failed", `Fill in the form first: ${missing.join(", ")}.`, { missing });
  }
}

/** The visitor's own uploads among `fileIds`, as the message's attachments (404 for any other file). */
async function visitorAttachments(ctx: AppContext, visitor: Visitor, fileIds: string[]) {
  const files = fileIds.length
    ? await ctx.db.query<{ id: string; name: string; mime_type: string; size: number }>(
        "select id, name, mime_type, size from files where id = any($1::uuid[]) and workspace_id = $2 and source_url = $3",
        [fileIds, visitor.workspaceId, `widget:${visitor.id}`],
      )
    : [];
  if (files.length !== fileIds.length) throw notFound("File");
  return fileIds.map((id) => {
    const f = files.find((x) => x.id === id)!;
    return { name: f.name, mimeType: f.mime_type, size: Number(f.size), url: `/api/files/${f.id}` };
  });
}

/**
 * The visitor writes: the message goes through the ingest queue like any channel's (idempotent by its
 * client id). The visitor's first message creates the conversation, which their other open tabs then follow.
 */
export async function sendVisitorMessage(
  ctx: AppContext,
  hub: WidgetHub,
  visitor: Visitor,
  body: MessageBody,
) {
  const text = body.text?.trim() ? body.text : null;
  checkText(text, body.fileIds.length);
  const conversationId = await visitorConversation(ctx.db, visitor);
  if (!conversationId) checkPreChat(visitor);
  const providerMessageId = providerIdFor(visitor, body.clientId);
  const event: InboundEvent = {
    kind: "message",
    providerMessageId,
    externalContactId: visitor.externalId,
    contact: visitor.contact,
    text,
    attachments: await visitorAttachments(ctx, visitor, body.fileIds),
    at: ctx.clock.now(),
    source: visitor.source,
  };
  const [outcome] = await ctx.ingest.submit(
    { id: visitor.connectionId, workspaceId: visitor.workspaceId, type: "widget" },
    [event],
  );
  if (outcome?.kind === "message" && outcome.status === "contact_blocked") {
    throw new AppError("forbidden", "This chat is not available to you.");
  }
  const [row] = await ctx.db.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages where connection_id = $1 and provider_message_id = $2`,
    [visitor.connectionId, providerMessageId],
  );
  if (!row) throw new AppError("internal", "The message was not stored; send it again.");
  if (!conversationId) {
    const joined = hub.follow(visitor.connectionId, visitor.externalId, row.conversation_id);
    if (joined.length) {
      const missed = await visitorMessages(ctx, row.conversation_id, 0);
      for (const s of joined) s.push({ type: "messages", messages: missed });
    }
  }
  return {
    conversationId: row.conversation_id,
    message: presentForVisitor(ctx, {
      id: row.id,
      seq: row.seq,
      direction: row.direction,
      text: row.text,
      attachments: row.attachments,
      providerMessageId: row.provider_message_id,
      createdAt: row.created_at,
    }),
  };
}
