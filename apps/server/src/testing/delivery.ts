import { expect } from "vitest";
import type { Server } from "../server";
import { eventually } from "./eventually";
import type { Client } from "./harness";

export interface MessageStateOptions {
  timeout?: number;
  /**
   * The server whose send jobs are made due on every attempt: a retry (backoff, Retry-After, a message
   * waiting behind an earlier one) runs now instead of minutes later.
   */
  hurry?: Server;
}

/** Waits until a message shows the delivery state in its conversation's feed (as the agents' app reads it). */
export function messageInState(
  owner: Client,
  conversationId: string,
  messageId: string,
  state: string,
  { timeout = 10_000, hurry }: MessageStateOptions = {},
) {
  return eventually(
    async () => {
      if (hurry) {
        await hurry.ctx.db.query(
          "update jobs set run_at = now() where status = 'pending' and payload->>'messageId' = $1",
          [messageId],
        );
        hurry.ctx.jobs.wake();
      }
      const feed = await owner.get(`/api/conversations/${conversationId}/messages`);
      const m = feed.body.messages.find((x: { id: string }) => x.id === messageId);
      expect(m?.delivery?.state, `message ${messageId} (${m?.delivery?.failureDetail ?? "no detail"})`).toBe(
        state,
      );
      return m;
    },
    { timeout },
  );
}
