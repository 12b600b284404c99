import crypto from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import { AppError } from "../../lib/errors";

/** WeChat's signature: SHA-1 of the sorted values (token, timestamp, nonce[, Encrypt]) joined, in hex. */
export function wechatSignature(...values: string[]): string {
  return crypto
    .createHash("sha1")
    .update([...values].sort().join(""))
    .digest("hex");
}

// Values stay strings (MsgId is a 64-bit integer); CDATA is read as text; no entities beyond XML's own.
const parser = new XMLParser({ parseTagValue: false, parseAttributeValue: false, trimValues: true });

/** The elements of WeChat's flat `<xml>…</xml>` body; a body that is not one is a 400 saying so. */
export function readWechatXml(raw: Buffer | string): Record<string, unknown> {
  const text = raw.toString();
  let doc: unknown;
  try {
    // WeChat never sends a DOCTYPE: one is refused rather than its entities expanded.
    doc = text.trimStart().startsWith("<") && !/<!DOCTYPE/i.test(text) ? parser.parse(text, true) : null;
  } catch {
    doc = null;
  }
  const xml = doc && typeof doc === "object" ? (doc as { xml?: unknown }).xml : undefined;
  if (!xml || typeof xml !== "object")
    throw new AppError(
      "validation_failed",
      "The WeChat webhook body is not the well-formed <xml>…</xml> WeChat sends.",
    );
  return xml as Record<string, unknown>;
}

/** The AES key of safe mode: base64 of the 43-character EncodingAESKey plus "=" (32 bytes). */
const aesKey = (encodingAesKey: string) => Buffer.from(`${encodingAesKey}=`, "base64");

/**
 * Decrypts safe mode's `<Encrypt>`: AES-256-CBC with the key's first 16 bytes as IV and PKCS#7 padding to 32
 * bytes, over random(16) + length(4, big-endian) + message + AppID. The AppID must be the connection's.
 */
export function decryptWechat(encodingAesKey: string, appId: string, encrypted: string): string {
  const key = aesKey(encodingAesKey);
  let plain: Buffer;
  try {
    const decipher = crypto.createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(Buffer.from(encrypted, "base64")), decipher.final()]);
  } catch {
    throw new AppError(
      "validation_failed",
      "The encrypted WeChat message could not be decrypted: check the EncodingAESKey.",
    );
  }
  const pad = plain.at(-1) ?? 0;
  const bad = () =>
    new AppError(
      "validation_failed",
      "The encrypted WeChat message could not be decrypted: check the EncodingAESKey.",
    );
  if (pad < 1 || pad > 32 || plain.length < 20 + pad) throw bad();
  const body = plain.subarray(16, plain.length - pad);
  const length = body.readUInt32BE(0);
  if (length > body.length - 4) throw bad();
  const from = body.subarray(4 + length).toString("utf8");
  if (from !== appId)
    throw new AppError(
      "validation_failed",
      "The encrypted WeChat message is for another AppID than this connection's.",
    );
  return body.subarray(4, 4 + length).toString("utf8");
}
