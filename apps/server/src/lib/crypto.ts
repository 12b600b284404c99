import crypto from "node:crypto";

/** Random URL-safe token for sessions, invitations and webhook secrets. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

export function sha256Hex(input: string | Buffer): string {
  return crypto.createHash("sha256").update(input).digest("hex");
}

export function hmacSha256Hex(secret: string | Buffer, body: string | Buffer): string {
  return crypto.createHmac("sha256", secret).update(body).digest("hex");
}

/** Constant-time comparison of two strings (false on different lengths without leaking where). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    crypto.timingSafeEqual(ab, ab);
    return false;
  }
  return crypto.timingSafeEqual(ab, bb);
}

/**
 * Encrypts channel credentials at rest with AES-256-GCM under a key derived (HKDF) from the secret key.
 * Format: v1.<iv>.<tag>.<ciphertext>, base64url parts.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly macKey: Buffer;
  constructor(secretKey: string) {
    this.key = Buffer.from(crypto.hkdfSync("sha256", secretKey, "parley", "credentials-v1", 32));
    this.macKey = Buffer.from(crypto.hkdfSync("sha256", secretKey, "parley", "links-v1", 32));
  }
  /** An HMAC under a key of its own (signed links), base64url. */
  mac(value: string): string {
    return crypto.createHmac("sha256", this.macKey).update(value).digest("base64url");
  }
  seal(value: unknown): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.key, iv);
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), ct]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(".");
  }
  open<T = unknown>(sealed: string): T {
    const [v, iv, tag, ct] = sealed.split(".");
    if (v !== "v1" || !iv || !tag || !ct) throw new Error("Unrecognised credentials format");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const pt = Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]);
    return JSON.parse(pt.toString("utf8")) as T;
  }
}
