import type { ChannelType } from "@parley/protocol";

/**
 * The link to a contact's profile on the network of a channel (R201, R211), built only from fields Parley
 * knows and checked against what the network allows in them, so the result is always an https address of
 * that network and never something a customer typed into a name:
 * - Telegram: the username (`https://t.me/<username>`), 5–32 letters, digits and underscores;
 * - Instagram: the username (`https://instagram.com/<username>`), up to 30 letters, digits, `.` and `_`;
 * - WhatsApp: the number the customer writes from (`https://wa.me/<digits>`);
 * - Messenger gives only page-scoped ids, Viber, LINE and WeChat ids that lead nowhere, and the other channels
 *   (SMS, email, web chat, API) have no profile: no link.
 */
export function profileLink(
  type: ChannelType,
  known: { externalId: string; nickname: string | null },
): string | null {
  const nickname = known.nickname?.trim().replace(/^@/, "") ?? "";
  switch (type) {
    case "telegram":
      return /^[A-Za-z][A-Za-z0-9_]{4,31}$/.test(nickname) ? `https://t.me/${nickname}` : null;
    case "instagram":
      return /^[A-Za-z0-9._]{1,30}$/.test(nickname) && !/^\.+$/.test(nickname)
        ? `https://instagram.com/${nickname}`
        : null;
    case "whatsapp": {
      const digits = known.externalId.replace(/^\+/, "");
      return /^[1-9]\d{6,14}$/.test(digits) ? `https://wa.me/${digits}` : null;
    }
    default:
      return null;
  }
}
