import type { AppContext } from "../../context";
import { notificationMailer } from "../notifications/email";

const TEXT = {
  en: {
    subject: (ws: string) => `You are invited to ${ws} on Parley`,
    body: (who: string, ws: string, url: string) =>
      `${who} invites you to answer customers with the ${ws} team on Parley.\n\nCreate your account: ${url}\n\nThe link works once and expires in 7 days.`,
  },
  ru: {
    subject: (ws: string) => `Приглашение в ${ws} в Parley`,
    body: (who: string, ws: string, url: string) =>
      `${who} приглашает вас отвечать клиентам вместе с командой ${ws} в Parley.\n\nСоздайте аккаунт: ${url}\n\nСсылка одноразовая и действует 7 дней.`,
  },
  uk: {
    subject: (ws: string) => `Запрошення до ${ws} у Parley`,
    body: (who: string, ws: string, url: string) =>
      `${who} запрошує вас відповідати клієнтам разом із командою ${ws} у Parley.\n\nСтворіть акаунт: ${url}\n\nПосилання одноразове й діє 7 днів.`,
  },
};

let cached: { host: string | undefined; mailer: ReturnType<typeof notificationMailer> } | null = null;

/**
 * Emails an invitation link in the inviter's language when SMTP is configured. Best effort: the admin gets the
 * link in the answer anyway, so a mail server that is down never fails the invitation. Answers whether the
 * mail was accepted by the SMTP server.
 */
export async function emailInvitation(
  ctx: AppContext,
  inviterId: string,
  to: string,
  url: string,
): Promise<boolean> {
  if (!ctx.config.SMTP_HOST || !ctx.config.SMTP_FROM) return false;
  if (cached?.host !== ctx.config.SMTP_HOST)
    cached = { host: ctx.config.SMTP_HOST, mailer: notificationMailer(ctx.config) };
  const mailer = cached.mailer;
  if (!mailer) return false;
  const [who] = await ctx.db.query<{ name: string; locale: string; workspace: string }>(
    "select u.name, u.locale, w.name as workspace from users u join workspaces w on w.id = u.workspace_id where u.id = $1",
    [inviterId],
  );
  if (!who) return false;
  const words = TEXT[who.locale as keyof typeof TEXT] ?? TEXT.en;
  try {
    await mailer.sendMail({
      from: ctx.config.SMTP_FROM,
      to,
      subject: words.subject(who.workspace),
      text: words.body(who.name, who.workspace, url),
    });
    return true;
  } catch (err) {
    ctx.log.warn({ err }, "the invitation email could not be sent");
    return false;
  }
}
