import { type AppContext, transact } from "../../../context";
import { recordAudit } from "../../audit/record";
import { refuseIfRulesUse } from "../../rules/references";
import { BOT_COLUMNS, type BotRow } from "../present";
import { findBot } from "../queries/list-bots";
import type { BotChange } from "../schema";
import type { BotManager } from "./actor";
import { refuseDuplicateName } from "./create-bot";

/** Changes a bot's name, avatar, URL, time limit or keywords; the audit entry names what changed. */
export async function updateBot(ctx: AppContext, m: BotManager, id: string, input: BotChange) {
  return transact(ctx, async (tx) => {
    const before = await findBot(tx.q, m.workspaceId, id, true);
    if (input.name !== undefined) await refuseDuplicateName(tx, m.workspaceId, input.name, id);
    const [row] = await tx.q.query<BotRow>(
      `update bots set name = coalesce($3, name), avatar_url = case when $4 then $5 else avatar_url end,
         webhook_url = coalesce($6, webhook_url), time_limit_seconds = coalesce($7, time_limit_seconds),
         handoff_keywords = coalesce($8, handoff_keywords), updated_at = $9
       where workspace_id = $1 and id = $2 returning ${BOT_COLUMNS}`,
      [
        m.workspaceId,
        id,
        input.name ?? null,
        input.avatarUrl !== undefined,
        input.avatarUrl ?? null,
        input.webhookUrl ?? null,
        input.timeLimitSeconds ?? null,
        input.handoffKeywords ?? null,
        tx.now,
      ],
    );
    const changed = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Record<
      string,
      unknown
    >;
    await recordAudit(tx.q, {
      workspaceId: m.workspaceId,
      userId: m.userId,
      action: "bot.updated",
      targetType: "bot",
      targetId: id,
      data: { name: before.name, changed },
      ip: m.ip,
      userAgent: m.userAgent,
      tokenId: m.tokenId,
      at: tx.now,
    });
    return row!;
  });
}

/**
 * Removes a bot (refused with 409 while an automation rule hands conversations to it): its token goes with it; its open conversations lose the bot (`bot_id` is set null) and go
 * back to the queue as they are. Reports of its sessions go too.
 */
export async function deleteBot(ctx: AppContext, m: BotManager, id: string) {
  await transact(ctx, async (tx) => {
    const bot = await findBot(tx.q, m.workspaceId, id, true);
    // A rule that hands conversations to this bot would fail on every run: it is changed or deleted first.
    await refuseIfRulesUse(tx.q, m.workspaceId, { botId: id }, `The bot “${bot.name}”`);
    await tx.q.query(
      "update conversations set bot_waiting_since = null where workspace_id = $1 and bot_id = $2",
      [m.workspaceId, id],
    );
    await tx.q.query("delete from bots where workspace_id = $1 and id = $2", [m.workspaceId, id]);
    await recordAudit(tx.q, {
      workspaceId: m.workspaceId,
      userId: m.userId,
      action: "bot.deleted",
      targetType: "bot",
      targetId: id,
      data: { name: bot.name },
      ip: m.ip,
      userAgent: m.userAgent,
      tokenId: m.tokenId,
      at: tx.now,
    });
  });
}
