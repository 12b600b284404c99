import type { SecretBox } from "../lib/crypto";
import { safeEqual } from "../lib/crypto";

const FILE_PATH = /^\/api\/files\/([0-9a-f-]{36})$/;

/**
 * A link to a stored file that works without a session until it expires: providers fetch outgoing media
 * from it (WhatsApp, Viber and Messenger take media by URL). The signature is an HMAC of the file id and the
 * expiry under the server's secret key.
 */
export function signedFileUrl(
  secrets: SecretBox,
  publicUrl: string,
  url: string,
  now: Date,
  ttlSeconds = 3600,
): string {
  const m = FILE_PATH.exec(url);
  if (!m) return url;
  const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
  return `${publicUrl}${url}?expires=${expires}&signature=${secrets.mac(`file:${m[1]}:${expires}`)}`;
}

export function verifyFileSignature(
  secrets: SecretBox,
  fileId: string,
  expires: number | undefined,
  signature: string | undefined,
  now: Date,
): boolean {
  if (expires === undefined || !signature) return false;
  if (expires * 1000 < now.getTime()) return false;
  return safeEqual(signature, secrets.mac(`file:${fileId}:${expires}`));
}
