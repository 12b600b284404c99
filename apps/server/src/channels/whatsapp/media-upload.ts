import net from "node:net";
import { buffer } from "node:stream/consumers";
import type { Attachment } from "@parley/protocol";
import { refusalOf } from "../../lib/egress";
import { type AdapterContext, ChannelSendError } from "../types";
import { graphReach, sendErrorOf, unreachable } from "./client";
import type { WhatsAppCredentials } from "./payloads";

export type WaMediaKind = "image" | "video" | "audio" | "document";

/** What WhatsApp takes per kind of media (Cloud API, "Supported media types"). */
const UPLOAD_MAX: Record<WaMediaKind, number> = {
  image: 5 * 1024 * 1024,
  video: 16 * 1024 * 1024,
  audio: 16 * 1024 * 1024,
  document: 100 * 1024 * 1024,
};

const FILE_PATH = /^\/api\/files\/([0-9a-f-]{36})$/;

/** Parley's own stored file (`/api/files/<id>`), which can be uploaded; other links are sent as they are. */
export const isStoredFile = (url: string) => FILE_PATH.test(url);

/**
 * Whether WhatsApp can fetch a signed link on Parley's public address: https on a name or address of the
 * public internet. A loopback, private or `.local`/`.internal`/`.localhost` address, or plain http, is not.
 */
export function linkReachable(publicUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return false;
  }
  if (url.protocol !== "https:") return false;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (net.isIP(host)) return refusalOf(host) === null;
  if (!host.includes(".")) return false;
  return !/(^|\.)(localhost|local|internal|lan|home\.arpa)$/.test(host);
}

/**
 * Uploads a stored file to WhatsApp (`POST /{phone-number-id}/media`, multipart/form-data with
 * `messaging_product=whatsapp`, `file` and `type`) and returns its media id, by which a message (or a
 * template's header) then carries it. A file over WhatsApp's limit for its kind is refused with the limit.
 */
export async function uploadWhatsAppMedia(
  conn: { workspaceId: string; credentials: WhatsAppCredentials },
  a: Attachment,
  kind: WaMediaKind,
  ctx: AdapterContext,
): Promise<string> {
  const fileId = FILE_PATH.exec(a.url)?.[1];
  const [file] = fileId
    ? await ctx.db.query<{ storage_key: string; size: string | number }>(
        "select storage_key, size from files where id = $1 and workspace_id = $2",
        [fileId, conn.workspaceId],
      )
    : [];
  if (!file)
    throw new ChannelSendError(
      "attachment_rejected",
      `The file "${a.name}" is not stored in Parley, so it cannot be uploaded to WhatsApp.`,
      false,
    );
  const max = UPLOAD_MAX[kind];
  if (Number(file.size) > max)
    throw new ChannelSendError(
      "attachment_rejected",
      `WhatsApp takes ${kind} files of at most ${max / (1024 * 1024)} MB; "${a.name}" has ${(Number(file.size) / (1024 * 1024)).toFixed(1)} MB.`,
      false,
    );
  const bytes = await buffer(ctx.blobs.get(file.storage_key));
  const form = new FormData();
  form.append("messaging_product", "whatsapp");
  form.append("type", a.mimeType);
  form.append("file", new Blob([bytes], { type: a.mimeType }), a.name);
  const r = await graphReach(
    ctx,
    conn.credentials.accessToken,
    "POST",
    `${encodeURIComponent(conn.credentials.phoneNumberId)}/media`,
    unreachable,
    form,
  );
  if (!r.ok) {
    const e = sendErrorOf(r);
    throw new ChannelSendError(
      e.reason,
      `WhatsApp did not take the upload of "${a.name}": ${e.detail}`,
      e.retryable,
      e.retryAfterMs,
    );
  }
  const id = (r.json as { id?: unknown } | null)?.id;
  if (typeof id !== "string" || !id)
    throw new ChannelSendError(
      "provider_error",
      "WhatsApp accepted the upload but returned no media id.",
      true,
    );
  return id;
}
