import { z } from "zod";
import { type AppContext, transact } from "../../context";
import { emitContactsUpdated } from "../contacts/events";

/**
 * A tag was renamed or recoloured: every contact carrying it is shown with it, so each gets `contact.updated`
 * (realtime and webhooks), a batch of contacts per run in contact id order, each batch in its own transaction
 * that enqueues the next. Bounded however many contacts carry the tag; the rename itself stays one row.
 */
export const TAG_CONTACTS_JOB = "tag.contacts_updated";
export const TAG_CONTACTS_BATCH = 500;

const Payload = z.object({ workspaceId: z.uuid(), tagId: z.uuid(), after: z.uuid().nullable() });
export type TagContactsPayload = z.infer<typeof Payload>;

export function registerTagContactsJob(ctx: AppContext) {
  ctx.jobs.register({
    type: TAG_CONTACTS_JOB,
    payload: Payload,
    maxAttempts: 10,
    async run(p) {
      await emitTaggedContactsBatch(ctx, p);
    },
  });
}

/** One batch: `contact.updated` for the next contacts carrying the tag; answers how many. */
export async function emitTaggedContactsBatch(ctx: AppContext, p: TagContactsPayload): Promise<number> {
  return transact(ctx, async (tx) => {
    const rows = await tx.q.query<{ contact_id: string }>(
      `select contact_id from contact_tags
       where workspace_id = $1 and tag_id = $2 and ($3::uuid is null or contact_id > $3)
       order by contact_id limit ${TAG_CONTACTS_BATCH}`,
      [p.workspaceId, p.tagId, p.after],
    );
    if (rows.length === 0) return 0;
    await emitContactsUpdated(
      tx,
      p.workspaceId,
      rows.map((r) => r.contact_id),
    );
    if (rows.length === TAG_CONTACTS_BATCH)
      await tx.enqueue(
        TAG_CONTACTS_JOB,
        { ...p, after: rows.at(-1)!.contact_id },
        { workspaceId: p.workspaceId },
      );
    return rows.length;
  });
}
