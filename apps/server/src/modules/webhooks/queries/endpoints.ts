import type { Queryable } from "../../../db/client";
import type { SecretBox } from "../../../lib/crypto";
import { notFound } from "../../../lib/errors";
import { paramsOf } from "../../../lib/sql-params";
import { DELIVERY_COLUMNS, type DeliveryRow, ENDPOINT_COLUMNS, type EndpointRow } from "../present";

export function listEndpoints(q: Queryable, workspaceId: string): Promise<EndpointRow[]> {
  return q.query<EndpointRow>(
    `select ${ENDPOINT_COLUMNS} from webhook_endpoints where workspace_id = $1 order by created_at, id`,
    [workspaceId],
  );
}

export async function findEndpoint(q: Queryable, workspaceId: string, id: string): Promise<EndpointRow> {
  const [row] = await q.query<EndpointRow>(
    `select ${ENDPOINT_COLUMNS} from webhook_endpoints where workspace_id = $1 and id = $2`,
    [workspaceId, id],
  );
  if (!row) throw notFound("Webhook endpoint");
  return row;
}

/** The endpoint's signing secret, opened. */
export async function endpointSecret(
  q: Queryable,
  secrets: SecretBox,
  workspaceId: string,
  id: string,
): Promise<string> {
  const [row] = await q.query<{ secret_enc: string }>(
    "select secret_enc from webhook_endpoints where workspace_id = $1 and id = $2",
    [workspaceId, id],
  );
  if (!row) throw notFound("Webhook endpoint");
  return secrets.open<string>(row.secret_enc);
}

/** The endpoint's delivery log, newest first; `before` pages on (a delivery id of the previous page). */
export async function listDeliveries(
  q: Queryable,
  workspaceId: string,
  endpointId: string,
  opts: { limit: number; status?: DeliveryRow["status"] | undefined; before?: string | undefined },
): Promise<DeliveryRow[]> {
  await findEndpoint(q, workspaceId, endpointId);
  const params: unknown[] = [workspaceId, endpointId, opts.limit];
  const p = paramsOf(params);
  const where = ["workspace_id = $1", "endpoint_id = $2"];
  if (opts.status) where.push(`status = ${p(opts.status)}`);
  if (opts.before)
    where.push(
      `(created_at, id) < (select created_at, id from webhook_deliveries where id = ${p(opts.before)})`,
    );
  return q.query<DeliveryRow>(
    `select ${DELIVERY_COLUMNS} from webhook_deliveries where ${where.join(" and ")}
     order by created_at desc, id desc limit $3`,
    params,
  );
}
