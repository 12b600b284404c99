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

/** The provider answered with a status that means the file is gone for good (`DownloadRequest.gone`). */
export class MediaGoneError extends MediaAnswerError {
  constructor(status: number, reason: string) {
    super(status);
    this.message = reason;
  }
}

/** How much of a JSON or plain-text answer is read to tell a provider's error body from a file. */
const ERROR_BODY_MAX = 64 * 1024;

/**
 * For providers that answer errors with HTTP 200 (`DownloadRequest.errorInBody`): reads the start of the
 * answer; a whole JSON body the provider's rule calls an error is thrown, anything else is streamed on
 * unchanged (the bytes already read first).
 */
async function checkErrorBody(
  body: ReadableStream<Uint8Array>,
  judge: (body: unknown) => Error | null,
): Promise<Readable> {
  const reader = body.getReader();
  const head: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size <= ERROR_BODY_MAX) {
    const r = await reader.read();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    size += r.value.byteLength;
  }
  if (done) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(head).toString("utf8"));
    } catch {}
    const error = parsed === undefined ? null : judge(parsed);
    if (error) throw error;
  }
  async function* all() {
    yield* head;
    while (!done) {
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
    }
  }
  return Readable.from(all());
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
    if (req.gone?.statuses.includes(res.status)) throw new MediaGoneError(res.status, req.gone.reason);
    throw new MediaAnswerError(res.status);
  }
  const answered = res.headers.get("content-type")?.split(";")[0]?.trim();
  const kind = answered?.toLowerCase();
  const stream =
    req.errorInBody && (kind === "application/json" || kind === "text/plain")
      ? await checkErrorBody(res.body, req.errorInBody)
      : Readable.fromWeb(res.body as never);
  const mimeType = req.mimeType ?? answered ?? "application/octet-stream";
  const id = crypto.randomUUID();
  const key = `${workspaceId}/${id}`;
  const { size, sha256 } = await blobs.put(key, stream, req.maxBytes ?? DEFAULT_MAX);
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
