import crypto from "node:crypto";
import type { Readable } from "node:stream";
import {
  type Attachment,
  type AttachmentProblem,
  attachmentProblemText,
  attachmentsProblem,
  CAPABILITIES,
  type ChannelType,
  fileProblem,
  isPreviewImage,
} from "@parley/protocol";
import { fileTypeFromBuffer } from "file-type";
import type { Queryable } from "../db/client";
import { AppError } from "../lib/errors";
import { type BlobStore, TooLargeError } from "./blob-store";

/** The error the API answers for a file it refuses: the same reason the composer shows, as a code too. */
export function attachmentError(problem: AttachmentProblem): AppError {
  const code =
    problem.code === "too_large" || problem.code === "total_too_large"
      ? "payload_too_large"
      : problem.code === "blocked_type" || problem.code === "not_supported"
        ? "unsupported_media_type"
        : "validation_failed";
  return new AppError(code, attachmentProblemText(problem), { problem });
}

export const attachmentLimits = (channel: ChannelType) => CAPABILITIES[channel]?.attachments ?? null;

/** Declared types that a browser could run if it ever rendered them: kept as opaque bytes instead. */
const ACTIVE_TYPE = /html|xml|javascript|ecmascript|svg/i;

async function head(stream: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= bytes) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, bytes);
}

/**
 * Stores an agent's upload for a conversation on a channel: the name is checked before a byte is read, the
 * size while streaming (never more than the channel accepts), and the type from the bytes themselves — an
 * image is an image only if its signature says so, whatever the browser declared.
 */
export async function storeUpload(
  db: Queryable,
  blobs: BlobStore,
  input: {
    workspaceId: string;
    userId: string;
    /** The conversation the file is uploaded for: it is that conversation's until a message carries it. */
    conversationId: string;
    channel: ChannelType;
    name: string;
    declaredType: string | undefined;
    declaredSize: number | undefined;
    body: Readable;
  },
): Promise<Attachment & { id: string; image: boolean }> {
  const limits = attachmentLimits(input.channel);
  const name = safeUploadName(input.name);
  // Size unknown yet: check the name (type) now, and the declared size if the client sent one.
  const early = fileProblem({ name, size: input.declaredSize ?? 0, image: false }, limits);
  if (early) {
    input.body.resume();
    throw attachmentError(early);
  }
  const id = crypto.randomUUID();
  const key = `${input.workspaceId}/${id}`;
  let stored: { size: number; sha256: string };
  try {
    stored = await blobs.put(key, input.body, limits!.maxBytes);
  } catch (err) {
    if (err instanceof TooLargeError)
      throw attachmentError({ code: "too_large", name, maxBytes: limits!.maxBytes });
    throw err;
  }
  // Only the first bytes are read back (one ranged GET from S3), enough to recognise the type.
  const sniffed = stored.size
    ? await fileTypeFromBuffer(
        await head(blobs.get(key, { start: 0, end: Math.min(stored.size, 4100) - 1 }), 4100),
      )
    : undefined;
  const image = !!sniffed && isPreviewImage(sniffed.mime);
  const declared = (input.declaredType ?? "").split(";")[0]!.trim().toLowerCase();
  const mimeType = image
    ? sniffed!.mime
    : (sniffed?.mime ??
      (/^[a-z]+\/[a-z0-9.+-]+$/.test(declared) &&
      !declared.startsWith("image/") &&
      !ACTIVE_TYPE.test(declared)
        ? declared
        : "application/octet-stream"));
  const problem = fileProblem({ name, size: stored.size, image }, limits);
  if (problem) {
    await blobs.remove(key);
    throw attachmentError(problem);
  }
  await db.query(
    `insert into files (id, workspace_id, name, mime_type, size, sha256, storage_key, uploaded_by, conversation_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      input.workspaceId,
      name,
      mimeType,
      stored.size,
      stored.sha256,
      key,
      input.userId,
      input.conversationId,
    ],
  );
  return { id, name, mimeType, size: stored.size, url: `/api/files/${id}`, image };
}

const FILE_URL = /^\/api\/files\/([0-9a-f-]{36})$/;

/**
 * The attachments of an agent's message. Parley's own files (`/api/files/<id>`) are taken as stored — name,
 * type and size from the files table, never the client's — and must exist in the caller's workspace; when the
 * message carries only such files (what the composer sends) the set must fit the channel: one file or up to
 * 10 images, each within the channel's limit, 500 MB in all. Integrations may still attach files by their
 * own https URL, which pass as given (the provider fetches them).
 */
export async function resolveAttachments(
  q: Queryable,
  workspaceId: string,
  channel: ChannelType,
  attachments: Attachment[],
): Promise<Attachment[]> {
  if (attachments.length === 0) return [];
  const ids = attachments.map((a) => FILE_URL.exec(a.url)?.[1] ?? null);
  for (const a of attachments) {
    if (!FILE_URL.test(a.url) && !/^https?:\/\//.test(a.url))
      throw new AppError("validation_failed", "Attach a file uploaded to Parley or an http(s) link.");
  }
  const known = ids.filter((x): x is string => x !== null);
  const rows = known.length
    ? await q.query<{
        id: string;
        workspace_id: string;
        name: string;
        mime_type: string;
        size: string | number;
      }>("select id, workspace_id, name, mime_type, size from files where id = any($1::uuid[])", [known])
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  let allStored = true;
  const files = attachments.map((a, i) => {
    const r = ids[i] ? byId.get(ids[i]!) : undefined;
    // A link to a Parley file that does not exist (or is another workspace's) would be sent to the
    // customer as a broken link: refuse it while the agent can still upload the file again.
    if (ids[i] && (!r || r.workspace_id !== workspaceId))
      throw new AppError(
        "validation_failed",
        `The attached file "${a.name}" was not found in this workspace: upload it again and attach the new file.`,
        { fileId: ids[i] },
      );
    if (!r) {
      allStored = false;
      return a;
    }
    return { name: r.name, mimeType: r.mime_type, size: Number(r.size), url: `/api/files/${r.id}` };
  });
  const limits = attachmentLimits(channel);
  const stored = files.filter((f) => FILE_URL.test(f.url) && byId.has(FILE_URL.exec(f.url)![1]!));
  const checked = stored.map((f) => ({ name: f.name, size: f.size, image: isPreviewImage(f.mimeType) }));
  const problem = allStored
    ? attachmentsProblem(checked, limits)
    : (checked.map((f) => fileProblem(f, limits)).find((p) => p !== null) ?? null);
  if (problem) throw attachmentError(problem);
  return files;
}

export function safeUploadName(name: string) {
  const cleaned = name
    .normalize("NFC")
    .replace(/[\\/]/g, "_")
    // Control characters and quotes never reach a header or a file system.
    .replace(/[\p{Cc}"<>|?*:]/gu, "_")
    .trim()
    .slice(-200);
  return cleaned.replace(/^\.+/, "") || "file";
}
