import type { BlobStore } from "../storage/blob-store";
import type { Client } from "./harness";

/** A 1×1 PNG: the server recognises it as an image by its bytes. */
export const SAMPLE_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
/** The start of a JPEG: enough for the server to recognise one. */
export const SAMPLE_JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]);

/**
 * Uploads a file into a conversation the way the composer does (raw bytes, the name in the query) and
 * returns the stored file, whose `url` (`/api/files/<id>`) a message can then carry.
 */
export async function uploadFile(
  baseUrl: string,
  client: Client,
  conversationId: string,
  name: string,
  body: Buffer | string,
  type = "application/octet-stream",
): Promise<{ id: string; name: string; mimeType: string; size: number; url: string }> {
  const res = await fetch(
    `${baseUrl}/api/conversations/${conversationId}/files?name=${encodeURIComponent(name)}`,
    {
      method: "POST",
      headers: { cookie: client.cookie!, "x-csrf-token": client.csrf!, "content-type": type },
      body: typeof body === "string" ? Buffer.from(body) : body,
    },
  );
  const json = (await res.json()) as {
    file: { id: string; name: string; mimeType: string; size: number; url: string };
  };
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(json)}`);
  return json.file;
}

/** Whether the blob store still holds bytes under a key. */
export function blobExists(blobs: BlobStore, key: string): Promise<boolean> {
  return new Promise((resolve) => {
    const stream = blobs.get(key);
    stream.once("error", () => resolve(false));
    stream.once("readable", () => {
      stream.destroy();
      resolve(true);
    });
  });
}
