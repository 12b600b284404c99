import crypto from "node:crypto";

/** JSON as Meta sends it: non-ASCII as \uXXXX escapes (lowercase hex) and slashes escaped (signatures are over these bytes). */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/\//g, "\\/")
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Meta's X-Hub-Signature-256 over the raw body. */
export function hubSignature(appSecret: string, raw: string | Buffer): string {
  return `sha256=${crypto.createHmac("sha256", appSecret).update(raw).digest("hex")}`;
}
