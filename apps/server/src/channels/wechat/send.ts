import { buffer } from "node:stream/consumers";
import type { Attachment } from "@parley/protocol";
import { sendInParts } from "../parts";
import { type AdapterContext, ChannelSendError, type OutgoingMessage } from "../types";
import { callWechat, WechatError, withToken } from "./client";
import type { WechatCredentials } from "./payloads";

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif"]);
/** Temporary images: at most 10 MB. */
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

type Connection = { id: string; workspaceId: string; credentials: WechatCredentials };
type Part = { kind: "text"; text: string } | { kind: "image"; attachment: Attachment };

/**
 * Sends a message through the customer-service message API (`/cgi-bin/message/custom/send`): the text, then
 * each image uploaded as temporary media and sent by its media_id, one WeChat message per part (a retry
 * resumes after the parts already sent). The window (48 h, a limited number of messages) is decided by the
 * window policy before this runs; WeChat's own refusals (45015, 45047) fail the message with its reason.
 */
export async function sendWechat(
  connection: Connection,
  message: OutgoingMessage,
  ctx: AdapterContext,
): Promise<{ providerMessageId: string }> {
  const parts: Part[] = [
    ...(message.text?.trim() ? [{ kind: "text" as const, text: message.text }] : []),
    ...message.attachments.map((attachment) => ({ kind: "image" as const, attachment })),
  ];
  if (parts.length === 0)
    throw new ChannelSendError("provider_error", "The message has neither text nor an image.", false);
  const ids = await sendInParts(message, parts.length, async (i) => {
    const part = parts[i]!;
    try {
      const body =
        part.kind === "text"
          ? { touser: message.externalContactId, msgtype: "text", text: { content: part.text } }
          : {
              touser: message.externalContactId,
              msgtype: "image",
              image: { media_id: await uploadImage(ctx, connection, part.attachment) },
            };
      const a = await withToken(ctx, connection, (token) =>
        callWechat(ctx, "/cgi-bin/message/custom/send", { access_token: token }, { json: body }),
      );
      // The API answers no message id: the part is known by the message and its position.
      return a.msgid !== undefined ? String(a.msgid) : `${message.id}:${i}`;
    } catch (err) {
      throw sendError(err);
    }
  });
  return { providerMessageId: ids[0]! };
}

/** Uploads a stored image as temporary media (`/cgi-bin/media/upload?type=image`, multipart) for its media_id. */
async function uploadImage(ctx: AdapterContext, connection: Connection, a: Attachment): Promise<string> {
  if (!IMAGE_TYPES.has(a.mimeType.toLowerCase()))
    throw new ChannelSendError(
      "attachment_rejected",
      `WeChat's customer-service messages carry images (JPEG, PNG, GIF) only; "${a.name}" is ${a.mimeType}.`,
      false,
    );
  const fileId = /^\/api\/files\/([0-9a-f-]{36})$/.exec(a.url)?.[1];
  const [file] = fileId
    ? await ctx.db.query<{ storage_key: string; size: string | number }>(
        "select storage_key, size from files where id = $1 and workspace_id = $2",
        [fileId, connection.workspaceId],
      )
    : [];
  if (!file)
    throw new ChannelSendError(
      "attachment_rejected",
      `The image "${a.name}" is not stored in Parley, so it cannot be uploaded to WeChat.`,
      false,
    );
  if (Number(file.size) > IMAGE_MAX_BYTES)
    throw new ChannelSendError("attachment_rejected", `The image "${a.name}" is over WeChat's 10 MB.`, false);
  const bytes = await buffer(ctx.blobs.get(file.storage_key));
  const upload = await withToken(ctx, connection, (token) => {
    const form = new FormData();
    form.append("media", new Blob([bytes], { type: a.mimeType }), a.name);
    return callWechat(ctx, "/cgi-bin/media/upload", { access_token: token, type: "image" }, { form });
  });
  if (!upload.media_id)
    throw new ChannelSendError("provider_error", "WeChat accepted the image without a media_id.", true);
  return upload.media_id;
}

/** WeChat's errcodes as failure reasons (CHANNELS.md §8.2). */
function sendError(err: unknown): Error {
  if (!(err instanceof WechatError)) return err as Error;
  switch (err.errcode) {
    case null:
    case -1:
      return new ChannelSendError("provider_error", err.message, true);
    case 45015:
      return new ChannelSendError(
        "window_closed",
        `${err.message}. The customer last wrote more than 48 hours ago: WeChat accepts a message only after they write again.`,
        false,
      );
    case 45047:
      return new ChannelSendError(
        "window_closed",
        `${err.message}. WeChat's limit of messages per customer message is reached: wait for the customer to write, and lower the connection's "messages per customer message" to WeChat's current limit.`,
        false,
      );
    case 43004:
      return new ChannelSendError(
        "unsubscribed",
        `${err.message}. The customer no longer follows the account.`,
        false,
      );
    case 45009:
    case 45011:
      return new ChannelSendError("provider_error", err.message, true, 60_000);
    case 40164:
      return new ChannelSendError(
        "provider_error",
        `${err.message}. Add the server's IP address to the account's IP whitelist.`,
        false,
      );
    case 40001:
    case 40014:
    case 42001:
      return new ChannelSendError(
        "provider_error",
        `${err.message}. The access token was refused twice.`,
        true,
      );
    default:
      return new ChannelSendError("provider_error", err.message, false);
  }
}
