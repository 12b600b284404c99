import { type AppContext, transact } from "../../../context";
import { notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { ENDPOINT_COLUMNS, type EndpointRow } from "../present";
import type { EndpointChange } from "../schema";
import { wakeDispatcher } from "../wake";
import type { WebhookActor } from "./actor";

/**
 * Changes an endpoint. Turning it off keeps its place: deliveries not yet made wait, and events committed
 * meanwhile are still read from the log when it is turned on again, which resumes where it stopped (its
 * waiting deliveries are due at once).
 */
export async function updateEndpoint(
  ctx: AppContext,
  actor: WebhookActor,
  id: string,
  change: EndpointChange,
): Promise<EndpointRow> {
  const row = await transact(ctx, async (tx) => {
    const [before] = await tx.q.query<EndpointRow>(
      `select ${ENDPOINT_COLUMNS} from webhook_endpoints where workspace_id = $1 and id = $2 for update`,
      [actor.workspaceId, id],
    );
    if (!before) throw notFound("Webhook endpoint");
    const enabling = change.active === true && !before.active;
    const disabling = change.active === false && before.active;
    const [after] = await tx.q.query<EndpointRow>(
      `update webhook_endpoints set
         url = coalesce($3, url), description = coalesce($4, description), events = coalesce($5, events),
         active = coalesce($6, active),
         disabled_reason = case when $6::boolean is null then disabled_reason when $6 then null else 'manual' end,
         failing_since = case when $7 then null else failing_since end,
         updated_at = $8
       where workspace_id = $1 and id = $2 returning ${ENDPOINT_COLUMNS}`,
      [
        actor.workspaceId,
        id,
        change.url ?? null,
        change.description ?? null,
        change.events ? [...new Set(change.events)] : null,
        change.active ?? null,
        enabling,
        tx.now,
      ],
    );
    if (enabling)
      await tx.q.query(
        "update webhook_deliveries set next_attempt_at = $2 where endpoint_id = $1 and status = 'pending'",
        [id, tx.now],
      );
    const { active: _active, ...other } = change;
    const audit = {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      targetType: "webhook",
      targetId: id,
    };
    const from = { ip: actor.ip, userAgent: actor.userAgent, at: tx.now };
    if (disabling)
      await recordAudit(tx.q, { ...audit, ...from, action: "webhook.disabled", data: { reason: "manual" } });
    if (enabling || Object.keys(other).length)
      await recordAudit(tx.q, {
        ...audit,
        ...from,
        action: "webhook.updated",
        data: { ...other, ...(enabling ? { active: true } : {}) },
      });
    return after!;
  });
  if (row.active) await wakeDispatcher(ctx);
  return row;
}
