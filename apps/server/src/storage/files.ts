import crypto from "node:crypto";
import { Readable } from "node:stream";
import type { Attachment } from "@parley/protocol";
import type { DownloadRequest } from "../channels/types";
import type { Db } from "../db/client";
import { describeFailure, type EgressPolicy, egressFetch } from "../lib/egress";
import type { BlobStore } from "./blob-store";

const DEFAULT_MAX = 100 * 1024 * 1024;

/**
 * Fetches a provider's media and keeps it (provider links expire within minutes). Never throws: a failure is
 * returned as an attachment with `error`, so the message that carries it is still stored.
 */
export async function downloadToStore(
  db: Db,
  blobs: BlobStore,
  workspaceId: string,
  req: DownloadRequest,
  timeoutMs: number,
  policy: EgressPolicy & { key: string },
): Promise<Attachment> {
  try {
    return await fetchToStore(db, blobs, workspaceId, req, timeoutMs, policy);
  } catch (err) {
    return {
      name: fileNameOf(req),
      mimeType: req.mimeType ?? "application/octet-stream",
      size: 0,
      url: "",
      error: `Could not fetch the file from the provider: ${describeFailure(err)}`.slice(0, 500),
    };
  }
}

function fileNameOf(req: DownloadRequest) {
  try {
    return req.name ?? (safeName(new URL(req.url).pathname.split("/").pop()) || "file");
  } catch {
    return req.name ?? "file";
  }
}

/** The provider answered the download with an error status. */
export class MediaAnswerError extends Error {
  constructor(readonly status: number) {
    super(`the provider answered ${status} for the media`);
  }
}

/**
 * Streams a file from a provider into the blob store (never whole in memory) and records it; throws when the
 * provider fails, the link is refused by the egress guard, or the file passes `maxBytes` (TooLargeError).
 */
export async function fetchToStore(
  db: Db,
  blobs: BlobStore,
  workspaceId: string,
  req: DownloadRequest,
  timeoutMs: number,
  policy: EgressPolicy & { key: string },
): Promise<Attachment> {
  const name = fileNameOf(req);
  // Media links come from webhooks: fetched through the egress guard, each redirect re-checked.
  const signal = AbortSignal.timeout(timeoutMs);
  const res = await egressFetch(policy, req.url, { headers: req.headers ?? {}, signal });
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new MediaAnswerError(res.status);
  }
  const mimeType =
    req.mimeType ?? res.headers.get("content-type")?.split(";")[0]?.trim() ?? "application/octet-stream";
  const id = crypto.randomUUID();
  const key = `${workspaceId}/${id}`;
  const { size, sha256 } = await blobs.put(
    key,
    Readable.fromWeb(res.body as never),
    req.maxBytes ?? DEFAULT_MAX,
  );
  await db.query(
    `insert into files (id, workspace_id, name, mime_type, size, sha256, storage_key, source_url)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, workspaceId, name, mimeType, size, sha256, key, (req.sourceUrl ?? req.url).slice(0, 2048)],
  );
  return { name, mimeType, size, url: `/api/files/${id}` };
}

/**
 * Keeps bytes Parley already holds (an email's attachment) as a file of the workspace. Never throws, like
 * downloadToStore: a failure is returned as an attachment with `error`.
 */
export async function storeBuffer(
  db: Db,
  blobs: BlobStore,
  workspaceId: string,
  file: { name: string; mimeType: string; data: Buffer; sourceUrl?: string; maxBytes?: number },
): Promise<Attachment> {
  const name = safeName(file.name) || "file";
  try {
    const id = crypto.randomUUID();
    const key = `${workspaceId}/${id}`;
    const { size, sha256 } = await blobs.put(key, Readable.from([file.data]), file.maxBytes ?? DEFAULT_MAX);
    await db.query(
      `insert into files (id, workspace_id, name, mime_type, size, sha256, storage_key, source_url)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, workspaceId, name, file.mimeType, size, sha256, key, file.sourceUrl?.slice(0, 2048) ?? null],
    );
    return { name, mimeType: file.mimeType, size, url: `/api/files/${id}` };
  } catch (err) {
    return {
      name,
      mimeType: file.mimeType,
      size: 0,
      url: "",
      error: `Could not store the file: ${(err as Error).message}`.slice(0, 500),
    };
  }
}

function safeName(name: string | undefined) {
  return (name ?? "").replace(/[^\p{L}\p{N}._-]/gu, "_").slice(0, 200);
}
