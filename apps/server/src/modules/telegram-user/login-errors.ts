import { MtprotoError } from "../../channels/telegram-user/boundary";
import { waitWords } from "../../channels/telegram-user/errors";
import { AppError } from "../../lib/errors";

/**
 * Why a sign-in step failed, for the connect dialog (which shows its own words for each `reason`) and for
 * API callers (the message). Never a 500 for something Telegram said.
 */
export function loginError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (!(err instanceof MtprotoError))
    return new AppError(
      "unavailable",
      `Telegram could not be reached: ${(err as Error).message}. Try again.`,
      {
        reason: "unreachable",
      },
    );
  const r = (code: ConstructorParameters<typeof AppError>[0], reason: string, message: string, extra = {}) =>
    new AppError(code, message, { reason, telegram: err.code, ...extra });
  switch (err.code) {
    case "PHONE_CODE_EXPIRED":
      return r(
        "unprocessable",
        "code_expired",
        "The code expired. Ask Telegram for a new code and enter it within a few minutes.",
      );
    case "PHONE_CODE_INVALID":
    case "PHONE_CODE_EMPTY":
      return r(
        "unprocessable",
        "code_invalid",
        "The code is wrong. Enter the latest code Telegram sent to the account's Telegram app (or by SMS).",
      );
    case "PASSWORD_HASH_INVALID":
      return r(
        "unprocessable",
        "password_invalid",
        "The password is wrong. It is the account's cloud password (Telegram → Settings → Privacy and Security → Two-Step Verification).",
      );
    case "FLOOD_WAIT":
    case "PHONE_PASSWORD_FLOOD":
      return r(
        "rate_limited",
        "flood_wait",
        `Telegram asks to wait: try again in ${waitWords(err.seconds ?? 60)}.`,
        { seconds: err.seconds ?? 60 },
      );
    case "PHONE_NUMBER_INVALID":
      return r(
        "bad_request",
        "phone_invalid",
        "Telegram does not accept this phone number. Give it in international form, e.g. +44 7700 900123.",
      );
    case "PHONE_NUMBER_UNOCCUPIED":
      return r("unprocessable", "phone_unoccupied", "No Telegram account uses this phone number.");
    case "PHONE_NUMBER_BANNED":
      return r("unprocessable", "phone_banned", "Telegram has banned this phone number.");
    case "API_ID_INVALID":
    case "API_ID_PUBLISHED_FLOOD":
      return r(
        "bad_request",
        "api_invalid",
        "Telegram refused the api_id and api_hash: copy both from my.telegram.org → API development tools.",
      );
    case "AUTH_KEY_UNREGISTERED":
    case "SESSION_REVOKED":
      return r(
        "unprocessable",
        "restart",
        "This sign-in is no longer valid at Telegram: start again with the phone number.",
      );
    default:
      return r("unprocessable", "telegram", `Telegram refused the sign-in: ${err.code}.`);
  }
}
