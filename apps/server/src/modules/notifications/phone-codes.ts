import type { AppContext } from "../../context";

/** A code lives ten minutes, allows five wrong tries, and three codes may be asked for per ten minutes. */
export const CODE_TTL_MS = 10 * 60_000;
export const CODE_TRIES = 5;
export const CODES_PER_WINDOW = 3;

/** The code's salted hash: an HMAC under the server's key over the user, the number and the code. */
export const phoneCodeHash = (ctx: AppContext, userId: string, phone: string, code: string) =>
  ctx.secrets.mac(`agent-phone:${userId}:${phone}:${code}`);
