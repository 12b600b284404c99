import { ChannelSendError } from "../types";
import { MtprotoError, REVOKED_CODES } from "./boundary";

/** "30 seconds", "5 minutes": how long Telegram asks to wait, in words. */
export function waitWords(seconds: number): string {
  if (seconds < 120) return `${seconds} seconds`;
  if (seconds < 2 * 3600) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}

/** What the connection's health says when Telegram ended the session. */
export const revokedHealth = (code: string) =>
  `reconnect: Telegram ended this account's session (${code}), e.g. from Settings → Devices in the Telegram app. Open Channels, choose Reconnect on this connection and sign in again with the phone number; conversations and history stay.`;

/** A failed send in words an agent can act on; retried only when waiting helps. */
export function sendError(err: unknown): ChannelSendError {
  if (!(err instanceof MtprotoError))
    return new ChannelSendError(
      "provider_error",
      `Telegram could not be reached: ${(err as Error).message}`,
      true,
    );
  if (err.code === "FLOOD_WAIT" || err.code === "SLOWMODE_WAIT")
    return new ChannelSendError(
      "rate_limited",
      `Telegram asks to wait ${waitWords(err.seconds ?? 30)} before sending more.`,
      true,
      (err.seconds ?? 30) * 1000,
    );
  if (REVOKED_CODES.has(err.code))
    return new ChannelSendError("provider_error", revokedHealth(err.code), false);
  switch (err.code) {
    case "USER_IS_BLOCKED":
    case "YOU_BLOCKED_USER":
      return new ChannelSendError(
        "blocked_by_user",
        "Blocked: the customer and this Telegram account cannot write to each other (one blocked the other).",
        false,
      );
    case "INPUT_USER_DEACTIVATED":
      return new ChannelSendError("not_permitted", "The customer deleted their Telegram account.", false);
    case "PEER_ID_INVALID":
    case "USER_ID_INVALID":
      return new ChannelSendError(
        "not_permitted",
        "Telegram does not know this chat for the account any more; wait for the customer to write again.",
        false,
      );
    case "PRIVACY_PREMIUM_REQUIRED":
    case "USER_PRIVACY_RESTRICTED":
      return new ChannelSendError(
        "not_permitted",
        "The customer's privacy settings do not allow messages from this account.",
        false,
      );
    case "MESSAGE_TOO_LONG":
      return new ChannelSendError(
        "too_long",
        "Telegram refused the text as too long (4,096 characters at most).",
        false,
      );
    case "MEDIA_CAPTION_TOO_LONG":
      return new ChannelSendError(
        "too_long",
        "Telegram refused the caption as too long (1,024 characters at most).",
        false,
      );
    default:
      return new ChannelSendError("provider_error", `Telegram refused: ${err.code}`, false);
  }
}
