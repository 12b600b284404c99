import { z } from "zod";
import type { AppContext } from "../../context";
import { transact } from "../../context";
import type { Queryable } from "../../db/client";
import { createFailureNotice, createNotification } from "../notifications/create";
import { notificationMailer } from "../notifications/email";
import { loadSettings, silencedBy } from "../notifications/settings";
import { activeHoldersOf } from "../users/queries/holders";
import { JOB_ALERT_NOTIFY } from "./evaluate";
import type { AlertRuleId } from "./rules";
import { alertWords } from "./words";

export const JOB_ALERT_EMAIL = "alerts.email";

interface AlertRow {
  id: string;
  workspace_id: string;
  rule: AlertRuleId;
  details: Record<string, unknown>;
  count: number;
}

async function loadAlert(q: Queryable, id: string) {
  const [a] = await q.query<AlertRow>(
    "select id, workspace_id, rule, details, count from alerts where id = $1",
    [id],
  );
  return a;
}

/** Who hears about security alerts: the workspace's active people allowed to see the audit log. */
export const alertRecipients = (q: Queryable, workspaceId: string) =>
  activeHoldersOf(q, workspaceId, "audit.view");

const describe = (a: AlertRow, locale: string) =>
  alertWords(locale).rules[a.rule]({
    count: a.count,
    windowMinutes: Number(a.details.windowMinutes ?? 0),
    details: a.details,
  });

/**
 * A raised alert reaches each recipient by the means of their settings for security alerts: in the app,
 * in the browser (both through the notification centre) and by email (one message per alert).
 */
export function registerAlertJobs(ctx: AppContext) {
  const mailer = notificationMailer(ctx.config);

  ctx.jobs.register({
    type: JOB_ALERT_NOTIFY,
    payload: z.object({ alertId: z.string() }),
    async run({ alertId }) {
      const alert = await loadAlert(ctx.db, alertId);
      if (!alert) return;
      const userIds = await alertRecipients(ctx.db, alert.workspace_id);
      const settings = await loadSettings(ctx.db, userIds);
      await transact(ctx, async (tx) => {
        for (const userId of userIds) {
          const s = settings.get(userId)!;
          const means = s.matrix.security_alert;
          await createNotification(ctx, tx, {
            workspaceId: alert.workspace_id,
            userId,
            kind: "security_alert",
            conversationId: null,
            messageId: null,
            title: String(alert.details.subject ?? ""),
            body: describe(alert, "en"),
            dedupeKey: `security_alert:${alert.id}`,
            // Kept in the centre even with every means off (already read), like other notifications.
            means: { inApp: means.inApp, push: means.push, email: false, sms: false },
            settings: s,
          });
          if (means.email && mailer && silencedBy(s, tx.now) !== "paused")
            await tx.enqueue(
              JOB_ALERT_EMAIL,
              { alertId, userId },
              { workspaceId: alert.workspace_id, idempotencyKey: `alert-email:${alertId}:${userId}` },
            );
        }
      });
    },
  });

  ctx.jobs.register({
    type: JOB_ALERT_EMAIL,
    payload: z.object({ alertId: z.string(), userId: z.string() }),
    async run({ alertId, userId }) {
      const alert = await loadAlert(ctx.db, alertId);
      const [user] = await ctx.db.query<{ email: string; locale: string }>(
        "select email, locale from users where id = $1 and status = 'active'",
        [userId],
      );
      if (!alert || !user || !mailer) return;
      const w = alertWords(user.locale);
      const text = `${describe(alert, user.locale)}\n${String(alert.details.subject ?? "")}\n\n${w.open}: ${ctx.config.publicUrl}/settings/alerts\n`;
      await mailer.sendMail({ from: ctx.config.SMTP_FROM, to: user.email, subject: w.subject, text });
    },
    async onDead({ userId }, err) {
      const [u] = await ctx.db.query<{ workspace_id: string }>(
        "select workspace_id from users where id = $1",
        [userId],
      );
      if (!u) return;
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      await transact(ctx, (tx) =>
        createFailureNotice(ctx, tx, {
          workspaceId: u.workspace_id,
          userId,
          means: "email",
          error,
          key: `alert:${ctx.clock.now().getTime()}`,
        }),
      );
    },
  });
}
