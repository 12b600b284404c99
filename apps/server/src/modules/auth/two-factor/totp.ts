import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, a new code every 30 seconds. */
export const PERIOD_SECONDS = 30;
const ISSUER = "Parley";

const totpOf = (secret: string, label = "") =>
  new TOTP({
    issuer: ISSUER,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });

/** A new random secret (160 bits, as RFC 4226 recommends), in base32 as people type it. */
export const newSecret = () => new Secret({ size: 20 }).base32;

/** What an authenticator app needs: the otpauth:// link, its QR code (a PNG data URL) and the typed secret. */
export async function enrolmentOf(secret: string, email: string) {
  const otpauthUrl = totpOf(secret, email).toString();
  return { secret, otpauthUrl, qrDataUrl: await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 220 }) };
}

/** The time-step of a moment: codes are numbered by it. */
export const stepOf = (at: Date) => Math.floor(at.getTime() / 1000 / PERIOD_SECONDS);

/**
 * The time-step a code belongs to when it is right at `now` (this step, or one step either side for clocks
 * a little apart), or null when it is wrong. Whether that step was used already is the caller's question.
 */
export function matchingStep(secret: string, code: string, now: Date): number | null {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpOf(secret).validate({ token, timestamp: now.getTime(), window: 1 });
  return delta === null ? null : stepOf(now) + delta;
}
