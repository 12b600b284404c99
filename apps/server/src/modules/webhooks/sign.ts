import crypto from "node:crypto";
import { hmacSha256Hex, safeEqual } from "../../lib/crypto";

export const SIGNATURE_HEADER = "x-parley-signature";
/** How old a signed timestamp a receiver should still accept (the docs' advice; `verifySignature`'s default). */
export const REPLAY_WINDOW_SECONDS = 300;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` */
export function signPayload(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacSha256Hex(secret, `${unixSeconds}.${body}`)}`;
}

/** A new endpoint's signing secret: `whsec_` and 32 random bytes. */
export const newSigningSecret = () => `whsec_${crypto.randomBytes(32).toString("base64url")}`;

/**
 * What a receiver does (docs/features/webhooks.md shows the same in a few lines): the signature must match
 * over "<t>.<raw body>" and `t` be at most `toleranceSeconds` from now, else the request is a replay.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds = REPLAY_WINDOW_SECONDS,
): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return false;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  return safeEqual(parts.v1, hmacSha256Hex(secret, `${t}.${body}`));
}
