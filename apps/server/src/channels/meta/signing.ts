import crypto from "node:crypto";
import { hmacSha256Hex } from "../../lib/crypto";

/** Meta's webhook signature header (WhatsApp, Messenger and Instagram all use it). */
export const META_SIGNATURE_HEADER = "x-hub-signature-256";

/** `sha256=<lowercase hex HMAC-SHA256(appSecret, raw body bytes)>`, as Meta sends it. */
export function metaSignature(appSecret: string, raw: string | Buffer): string {
  return `sha256=${hmacSha256Hex(appSecret, raw)}`;
}

/**
 * Checks X-Hub-Signature-256 over the exact bytes received. Meta signs its own (unicode-escaped) serialisation,
 * so the body is never decoded or re-encoded before hashing. Constant time.
 */
export function verifyMetaSignature(
  raw: Buffer,
  headers: Record<string, string | string[] | undefined>,
  appSecret: string,
): boolean {
  const header = headers[META_SIGNATURE_HEADER];
  if (typeof header !== "string" || !appSecret) return false;
  const got = header.trim().replace(/^sha256=/i, "");
  if (!/^[0-9a-f]{64}$/i.test(got)) return false;
  const expected = Buffer.from(hmacSha256Hex(appSecret, raw), "hex");
  return crypto.timingSafeEqual(Buffer.from(got.toLowerCase(), "hex"), expected);
}

/**
 * The subscribe handshake: `GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<n>` is answered
 * with the bare challenge when the token matches, otherwise refused.
 */
export function answerChallenge(query: Record<string, string>, verifyToken: string): string | null {
  const mode = query["hub.mode"] ?? query.hub_mode;
  const token = query["hub.verify_token"] ?? query.hub_verify_token;
  const challenge = query["hub.challenge"] ?? query.hub_challenge;
  if (mode !== "subscribe" || typeof token !== "string" || typeof challenge !== "string") return null;
  if (!verifyToken || challenge.length === 0 || challenge.length > 256) return null;
  const a = crypto.createHash("sha256").update(token).digest();
  const b = crypto.createHash("sha256").update(verifyToken).digest();
  return crypto.timingSafeEqual(a, b) ? challenge : null;
}
