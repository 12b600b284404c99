import { z } from "zod";
import { type AppContext, transact } from "../../context";
import { recordAudit } from "../audit/record";
import { notificationMailer } from "../notifications/email";
import { createLink, isOpen, linkUrl, loadLink } from "./links";
import { accountMailText } from "./mail-text";

/** Looks up the account a password reset was asked for and, for an active one, creates and mails a link. */
export const JOB_RESET_REQUEST = "account.password_reset_request";
/** Sends one account email: a reset or confirmation link, or the notice that an address changed. */
export const JOB_ACCOUNT_MAIL = "account.mail";

/** Whether Parley can email links (SMTP configured); without it people ask an admin for a reset link. */
export const canMail = (ctx: AppContext) => Boolean(ctx.config.SMTP_HOST && ctx.config.SMTP_FROM);

const AccountMail = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("link"), linkId: z.uuid() }),
  z.object({
    kind: z.literal("email_changed"),
    userId: z.uuid(),
    oldEmail: z.string(),
    newEmail: z.string(),
  }),
]);

/**
 * Retried with backoff for about an hour (the life of a reset link): an SMTP outage delays the email, and
 * it goes out once the server answers again.
 */
const MAIL_RETRY = {
  maxAttempts: 10,
  backoffMs: (attempt: number) => Math.min(30_000 * 2 ** (attempt - 1), 10 * 60_000),
};

export function registerAccountJobs(ctx: AppContext) {
  const mailer = notificationMailer(ctx.config);

  async function send(to: string, subject: string, text: string) {
    if (!mailer || !ctx.config.SMTP_FROM) throw new Error("SMTP is not configured (SMTP_HOST)");
    await mailer.sendMail({ from: ctx.config.SMTP_FROM, to, subject, text });
  }

  async function person(userId: string) {
    const [u] = await ctx.db.query<{ email: string; name: string; locale: string }>(
      "select email, name, locale from users where id = $1 and status = 'active'",
      [userId],
    );
    return u;
  }

  ctx.jobs.register({
    type: JOB_RESET_REQUEST,
    payload: z.object({
      email: z.string(),
      linkId: z.uuid(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
    }),
    ...MAIL_RETRY,
    async run({ email, linkId, ip, userAgent }) {
      await transact(ctx, async (tx) => {
        const [user] = await tx.q.query<{ id: string; workspace_id: string }>(
          "select id, workspace_id from users where lower(email) = $1 and status = 'active'",
          [email],
        );
        if (!user) return;
        const link = {
          id: linkId,
          kind: "password_reset" as const,
          workspaceId: user.workspace_id,
          userId: user.id,
        };
        if (!(await createLink(ctx, tx.q, link, tx.now))) return;
        await recordAudit(tx.q, {
          workspaceId: user.workspace_id,
          userId: null,
          action: "auth.password_reset_requested",
          targetType: "user",
          targetId: user.id,
          data: { by: "self", emailed: true },
          ip,
          userAgent,
          at: tx.now,
        });
        await tx.enqueue(JOB_ACCOUNT_MAIL, { kind: "link", linkId }, { workspaceId: user.workspace_id });
      });
    },
  });

  ctx.jobs.register({
    type: JOB_ACCOUNT_MAIL,
    payload: AccountMail,
    ...MAIL_RETRY,
    async run(mail) {
      if (mail.kind === "email_changed") {
        const u = await person(mail.userId);
        if (!u) return;
        const words = accountMailText(u.locale);
        await send(mail.oldEmail, words.changedSubject, words.changed(u.name, mail.newEmail));
        return;
      }
      const link = await loadLink(ctx.db, mail.linkId);
      // A link used, replaced by a newer one or expired meanwhile is not worth sending.
      if (!link || !isOpen(link, ctx.clock.now())) return;
      const u = await person(link.user_id);
      if (!u) return;
      const words = accountMailText(u.locale);
      const url = linkUrl(ctx, link.kind, link.id);
      if (link.kind === "password_reset") await send(u.email, words.resetSubject, words.reset(u.name, url));
      else await send(link.new_email!, words.confirmSubject, words.confirm(u.name, url));
    },
  });
}
