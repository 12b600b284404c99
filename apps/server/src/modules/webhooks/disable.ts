import { type AppContext, transact } from "../../context";
import { recordAudit } from "../audit/record";
import { createNotification } from "../notifications/create";
import { loadSettings } from "../notifications/settings";
import { activeHoldersOf } from "../users/queries/holders";

/** How long an endpoint may fail without a single success before it is turned off. */
export const FAILING_LIMIT_MS = 24 * 3600_000;

/**
 * Turns off an endpoint that has failed for 24 hours (unless someone changed it meanwhile): recorded in the
 * audit log as `webhook.disabled`, and everyone who manages webhooks (`api.manage`) is told in the app.
 */
export async function disableFailingEndpoint(
  ctx: AppContext,
  endpointId: string,
  since: Date,
): Promise<boolean> {
  return transact(ctx, async (tx) => {
    const [ep] = await tx.q.query<{ workspace_id: string; url: string; description: string }>(
      `update webhook_endpoints set active = false, disabled_reason = 'failing', updated_at = $2
       where id = $1 and active returning workspace_id, url, description`,
      [endpointId, tx.now],
    );
    if (!ep) return false;
    await recordAudit(tx.q, {
      workspaceId: ep.workspace_id,
      userId: null,
      action: "webhook.disabled",
      targetType: "webhook",
      targetId: endpointId,
      data: { reason: "failing", failingSince: since.toISOString(), url: ep.url },
      at: tx.now,
    });
    const admins = await activeHoldersOf(tx.q, ep.workspace_id, "api.manage");
    const settings = await loadSettings(tx.q, admins);
    for (const id of admins)
      await createNotification(ctx, tx, {
        workspaceId: ep.workspace_id,
        userId: id,
        kind: "webhook_disabled",
        conversationId: null,
        messageId: null,
        title: "A webhook endpoint was turned off",
        body: `${ep.description || ep.url} failed for 24 hours and no longer receives events. Turn it on again in Settings → Webhooks once it works: it resumes where it stopped.`,
        dedupeKey: `webhook_disabled:${endpointId}:${tx.now.getTime()}`,
        means: { inApp: true, push: false, email: false, sms: false },
        settings: settings.get(id)!,
      });
    return true;
  });
}
