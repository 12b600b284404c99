/**
 * SMS segments (the parts a long text message is split into and billed by), counted the way the GSM and
 * carriers' networks do (3GPP TS 23.038):
 *
 * - a text made only of the GSM 7-bit alphabet is sent as GSM-7: 160 septets in one message, 153 per part
 *   when it needs several (the rest of each part carries the concatenation header); the characters of the
 *   extension table (`^ { } \ [ ] ~ | €` and form feed) take two septets each, and a pair is never split
 *   across two parts;
 * - any other character makes the whole text UCS-2: 70 UTF-16 code units in one message, 67 per part;
 *   characters outside the Basic Multilingual Plane (most emoji) take two units, never split across parts.
 *
 * The composer shows the count and the server uses the same function, so both say the same.
 */

export type SmsEncoding = "gsm7" | "ucs2";

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  /** Parts the text is sent as (0 for an empty text). */
  segments: number;
  /** How many units one part holds for this text: 160 / 153 (GSM-7) or 70 / 67 (UCS-2). */
  perSegment: number;
  /** Units still free in the last part before another part is needed. */
  remaining: number;
}

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION = "^{}\\[~]|€\f";

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export const SMS_SINGLE = { gsm7: 160, ucs2: 70 } as const;
export const SMS_PART = { gsm7: 153, ucs2: 67 } as const;

/** The size of each character of `text` in its encoding's units, and the encoding. */
function sizes(text: string): { encoding: SmsEncoding; sizes: number[] } {
  const gsm: number[] = [];
  let isGsm = true;
  for (const ch of text) {
    if (basic.has(ch)) gsm.push(1);
    else if (extension.has(ch)) gsm.push(2);
    else {
      isGsm = false;
      break;
    }
  }
  if (isGsm) return { encoding: "gsm7", sizes: gsm };
  // UCS-2 as UTF-16: a character outside the BMP is a surrogate pair, two units.
  const ucs: number[] = [];
  for (const ch of text) ucs.push(ch.length);
  return { encoding: "ucs2", sizes: ucs };
}

/** How a text goes as SMS: its encoding, size and the number of parts (see above). */
export function smsSegments(text: string): SmsSegments {
  const { encoding, sizes: s } = sizes(text);
  const units = s.reduce((a, b) => a + b, 0);
  const single = SMS_SINGLE[encoding];
  if (units === 0) return { encoding, units, segments: 0, perSegment: single, remaining: single };
  if (units <= single) return { encoding, units, segments: 1, perSegment: single, remaining: single - units };
  // Several parts: fill each in order; a character that does not fit whole starts the next part.
  const part = SMS_PART[encoding];
  let segments = 1;
  let used = 0;
  for (const size of s) {
    if (used + size > part) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding, units, segments, perSegment: part, remaining: part - used };
}

/** Recipients' words that opt out of a sender's SMS, and back in (the carriers' and Twilio's standard set). */
export const SMS_OPT_OUT_KEYWORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"] as const;
export const SMS_OPT_IN_KEYWORDS = ["START", "YES", "UNSTOP"] as const;

/** Whether an inbound SMS is an opt-out or opt-in keyword (the whole message, any case, spaces around). */
export function smsKeyword(body: string | null | undefined): "opt_out" | "opt_in" | null {
  const word = (body ?? "").trim().toUpperCase();
  if ((SMS_OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return "opt_out";
  if ((SMS_OPT_IN_KEYWORDS as readonly string[]).includes(word)) return "opt_in";
  return null;
}
