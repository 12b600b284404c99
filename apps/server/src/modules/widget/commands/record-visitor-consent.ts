import type { AppContext } from "../../../context";
import { conflict } from "../../../lib/errors";
import { recordReadTrackingConsent } from "../../receipts/privacy";
import type { Visitor } from "../visitors";

/**
 * The visitor answers the widget's read-tracking question (R307): recorded on their contact with the source
 * "widget" (audited, and a "no" forgets the read times already kept). The contact exists once the visitor
 * has written; before that there is nothing to keep the answer with, which the widget knows (it asks after
 * the first message).
 */
export async function recordVisitorConsent(ctx: AppContext, visitor: Visitor, granted: boolean) {
  const [identity] = await ctx.db.query<{ contact_id: string }>(
    "select contact_id from contact_identities where connection_id = $1 and external_id = $2",
    [visitor.connectionId, visitor.externalId],
  );
  if (!identity) {
    throw conflict("Write your first message before answering: the answer is kept with your conversation.");
  }
  const consent = await recordReadTrackingConsent(ctx, {
    workspaceId: visitor.workspaceId,
    contactId: identity.contact_id,
    granted,
    source: "widget",
  });
  return { consent: { asked: true, granted: consent.granted } };
}
