import type { Queryable } from "../../../db/client";
import type { Visitor } from "../visitors";

/** What the widget needs to ask for read-tracking consent (R307): whether to ask, and the answer so far. */
export interface VisitorConsent {
  /** The workspace keeps read times only with the customer's consent (`receipts.consentMode`). */
  asked: boolean;
  /** The contact's recorded answer; null while they have not answered (or have not written yet). */
  granted: boolean | null;
}

export async function visitorConsent(db: Queryable, v: Visitor): Promise<VisitorConsent> {
  const [row] = await db.query<{ mode: boolean; granted: boolean | null }>(
    `select coalesce((w.settings->'receipts'->>'consentMode')::boolean, false) as mode,
       ct.read_tracking_consent as granted
     from workspaces w
     left join contact_identities i on i.workspace_id = w.id and i.connection_id = $2 and i.external_id = $3
     left join contacts ct on ct.id = i.contact_id
     where w.id = $1`,
    [v.workspaceId, v.connectionId, v.externalId],
  );
  return { asked: !!row?.mode, granted: row?.granted ?? null };
}
