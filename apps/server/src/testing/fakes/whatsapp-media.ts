import crypto from "node:crypto";
import type http from "node:http";

/** Media a customer "sent" to the WhatsApp fake: its bytes, served at /dl/<id> for ttlMs after each lookup. */
export interface FakeMedia {
  bytes: Buffer;
  mimeType: string;
  ttlMs: number;
  issuedAt: number | null;
  /** While set, the bytes are not sent: the download hangs until the promise settles. */
  hold: Promise<void> | null;
}

/** Stores media; returns its media id. ttlMs 0: its download URL is already expired. */
export function addMedia(
  media: Map<string, FakeMedia>,
  bytes: Buffer,
  mimeType: string,
  o: { ttlMs?: number } = {},
) {
  const id = String(1_000_000_000_000_000n + BigInt(media.size + 1) * 7919n);
  media.set(id, { bytes, mimeType, ttlMs: o.ttlMs ?? 5 * 60_000, issuedAt: null, hold: null });
  return id;
}

/**
 * Makes the media's download hang (the lookup still answers) until `release()`; every download request
 * waiting then gets the bytes.
 */
export function holdMedia(media: Map<string, FakeMedia>, id: string) {
  const m = media.get(id);
  if (!m) throw new Error(`no media ${id}`);
  let release = () => {};
  m.hold = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release() {
      m.hold = null;
      release();
    },
  };
}

/** GET /dl/<id>: the bytes while the lookup's URL is fresh (404 "URL signature expired" after), or held. */
export function serveMedia(res: http.ServerResponse, m: FakeMedia | undefined, now: number) {
  if (!m || m.issuedAt === null || now >= m.issuedAt + m.ttlMs) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("URL signature expired");
  }
  const send = () => {
    res.writeHead(200, { "content-type": m.mimeType, "content-length": String(m.bytes.length) });
    res.end(m.bytes);
  };
  if (m.hold) return void m.hold.then(send);
  return send();
}

/** A file Parley uploaded (`POST /:v/:phoneNumberId/media`), by the media id the fake answered. */
export interface UploadedMedia {
  bytes: Buffer;
  /** The form's `type` field. */
  type: string;
  /** The file part's own Content-Type and file name. */
  fileType: string;
  fileName: string;
}

/**
 * The upload endpoint as the Cloud API documents it: multipart/form-data with `messaging_product=whatsapp`,
 * `file` and `type` (the file's MIME type). Answers `{id}` or Graph's error envelope (status, code, message).
 */
export async function acceptUpload(
  uploads: Map<string, UploadedMedia>,
  bytes: Buffer,
  contentType: string | undefined,
): Promise<{ id: string } | { status: number; code: number; message: string }> {
  if (!/^multipart\/form-data/i.test(contentType ?? ""))
    return { status: 400, code: 100, message: "(#100) The parameter file is required." };
  const form = await new Response(bytes, { headers: { "content-type": contentType! } })
    .formData()
    .catch(() => null);
  if (form?.get("messaging_product") !== "whatsapp")
    return { status: 400, code: 100, message: "(#100) The parameter messaging_product is required." };
  const file = form.get("file");
  const type = form.get("type");
  if (!(file instanceof Blob) || file.size === 0)
    return { status: 400, code: 100, message: "(#100) The parameter file is required." };
  if (typeof type !== "string" || !type)
    return { status: 400, code: 100, message: "(#100) The parameter type is required." };
  const id = String(2_000_000_000_000_000n + BigInt(crypto.randomInt(1, 2 ** 47)));
  uploads.set(id, {
    bytes: Buffer.from(await file.arrayBuffer()),
    type,
    fileType: file.type,
    fileName: (file as File).name,
  });
  return { id };
}

/**
 * What is wrong with a template send's media header, or null: a template whose HEADER is an IMAGE, VIDEO or
 * DOCUMENT needs a header parameter of that type, by a link or the id of an upload the fake holds.
 */
export function mediaHeaderProblem(
  known: { components: Array<Record<string, unknown>> },
  sent: { components?: unknown },
  uploads: Map<string, UploadedMedia>,
): string | null {
  const format = String(known.components.find((c) => c.type === "HEADER")?.format ?? "TEXT").toLowerCase();
  if (!["image", "video", "document"].includes(format)) return null;
  const header = (Array.isArray(sent.components) ? sent.components : []).find(
    (c: any) => c?.type === "header",
  ) as { parameters?: any[] } | undefined;
  const p = header?.parameters?.[0];
  const head = "(#132012) Parameter format does not match format in the created template: header";
  if (p?.type !== format) return `${head} needs a parameter of type ${format}`;
  const ref = p[format];
  if (typeof ref?.link === "string") return null;
  if (typeof ref?.id === "string" && uploads.has(ref.id)) return null;
  return `${head} ${format}['id'] ${ref?.id ?? "(none)"} is not an uploaded media id`;
}
