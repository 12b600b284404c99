import type { AppContext } from "../../context";
import { transact } from "../../context";
import { handOver } from "./commands/handover";

/**
 * Bots that did not answer in time (R702): conversations whose customer has waited longer than their bot's
 * time limit since the first message the bot has not answered are handed over, reason `timeout`. Run by the
 * `bot-timeouts` scheduled task (once per slot across all workers); time is the application's clock, so tests
 * move it. Each conversation goes in its own transaction, re-checked under its row lock (a reply that came in
 * meanwhile wins).
 */
export async function handOverOverdue(ctx: AppContext, limit = 500): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.db.query<{ id: string; workspace_id: string; bot_id: string }>(
    `select c.id, c.workspace_id, c.bot_id from conversations c join bots b on b.id = c.bot_id
     where c.bot_waiting_since is not null and c.status <> 'closed'
       and c.bot_waiting_since + b.time_limit_seconds * interval '1 second' <= $1
     order by c.bot_waiting_since limit $2`,
    [now, limit],
  );
  let count = 0;
  for (const c of due) {
    const done = await transact(ctx, async (tx) => {
      const [still] = await tx.q.query(
        `select 1 from conversations c join bots b on b.id = c.bot_id
         where c.id = $1 and c.bot_id = $2 and c.bot_waiting_since + b.time_limit_seconds * interval '1 second' <= $3
         for update of c`,
        [c.id, c.bot_id, tx.now],
      );
      if (!still) return false;
      return handOver(tx, {
        workspaceId: c.workspace_id,
        conversationId: c.id,
        botId: c.bot_id,
        reason: "timeout",
        note: null,
        byUserId: null,
      });
    });
    if (done) count++;
  }
  return count;
}
