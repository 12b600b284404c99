import { z } from "zod";
import type { AppContext } from "../context";

export const REMOVE_BLOBS_JOB = "blobs.remove";

const Payload = z.object({ keys: z.array(z.string()).max(10_000) });

/**
 * Removes stored file bytes whose rows were deleted (a contact's erasure). It is enqueued in the same
 * transaction as the deletion, so the bytes go once it commits, and are retried if the store is down.
 * Removing a key that is already gone does nothing, so a repeated run is harmless.
 */
export function registerRemoveBlobsJob(ctx: AppContext) {
  ctx.jobs.register({
    type: REMOVE_BLOBS_JOB,
    payload: Payload,
    maxAttempts: 10,
    async run(p) {
      await ctx.blobs.removeAll(p.keys);
    },
  });
}
