import type { Tx } from "../../context";
import { queueBotDeliveries } from "../bots/deliver";
import { queueOutsideHoursReplies } from "../hours/auto-reply";
import { queueLinkedRecords } from "../linked-records/job";

/**
 * What a batch of inbound messages sets off besides its events, as durable jobs in the batch's own
 * transaction (ingest never waits for them): deliveries to the bots holding the conversations (R702), linked
 * records for new conversations (R703) and the outside-hours reply.
 */
export async function queueAfterIngest(
  tx: Tx,
  batch: { inboundMessageIds: string[]; newConversationIds: string[]; customerWroteIn: string[] },
) {
  await queueBotDeliveries(tx, batch.inboundMessageIds);
  await queueLinkedRecords(tx, [...new Set(batch.newConversationIds)]);
  await queueOutsideHoursReplies(tx, batch.customerWroteIn);
}
