import { type AppContext, type Tx, transact } from "../../../context";
import { randomToken, sha256Hex } from "../../../lib/crypto";
import { conflict, notFound } from "../../../lib/errors";
import { SHOWN_PREFIX_LENGTH, TOKEN_PREFIX } from "../../api-tokens/resolve";
import { recordAudit } from "../../audit/record";
import { newSigningSecret } from "../../webhooks/sign";
import { BOT_COLUMNS, type BotRow } from "../present";
import type { NewBot } from "../schema";
import type { BotManager } from "./actor";

/** What a bot's token may do: reply in its conversations (hand-over is the bot's own route). */
const BOT_TOKEN_PERMISSIONS = ["conversations.reply"];

export async function refuseDuplicateName(tx: Tx, workspaceId: string, name: string, except?: string) {
  const [same] = await tx.q.query(
    "select 1 from bots where workspace_id = $1 and lower(name) = lower($2) and id is distinct from $3",
    [workspaceId, name, except ?? null],
  );
  if (same) throw conflict(`A bot named "${name}" already exists: choose another name.`);
}

/** A new API token bound to the bot (any earlier one is revoked); its secret, shown once. */
export async function issueBotToken(tx: Tx, bot: { id: string; name: string }, m: BotManager) {
  await tx.q.query("update api_tokens set revoked_at = $2 where bot_id = $1 and revoked_at is null", [
    bot.id,
    tx.now,
  ]);
  const secret = `${TOKEN_PREFIX}${randomToken(32)}`;
  await tx.q.query(
    `insert into api_tokens (workspace_id, created_by, name, prefix, secret_hash, permissions, rate_limit, created_at, bot_id)
     values ($1, $2, $3, $4, $5, $6, 600, $7, $8)`,
    [
      m.workspaceId,
      m.userId,
      `Bot: ${bot.name}`.slice(0, 100),
      secret.slice(0, SHOWN_PREFIX_LENGTH),
      sha256Hex(secret),
      BOT_TOKEN_PERMISSIONS,
      tx.now,
      bot.id,
    ],
  );
  return secret;
}

/**
 * Adds a bot: its signing secret is stored sealed like channel credentials, and its API token (hash only).
 * Both secrets are in the answer this once; "renew credentials" issues new ones.
 */
export async function createBot(ctx: AppContext, m: BotManager, input: NewBot) {
  const signingSecret = newSigningSecret();
  return transact(ctx, async (tx) => {
    await refuseDuplicateName(tx, m.workspaceId, input.name);
    const [row] = await tx.q.query<BotRow>(
      `insert into bots (workspace_id, name, avatar_url, webhook_url, secret_enc, time_limit_seconds, handoff_keywords,
         created_by, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning ${BOT_COLUMNS}`,
      [
        m.workspaceId,
        input.name,
        input.avatarUrl ?? null,
        input.webhookUrl,
        ctx.secrets.seal(signingSecret),
        input.timeLimitSeconds,
        input.handoffKeywords,
        m.userId,
        tx.now,
      ],
    );
    const token = await issueBotToken(tx, row!, m);
    await recordAudit(tx.q, {
      workspaceId: m.workspaceId,
      userId: m.userId,
      action: "bot.created",
      targetType: "bot",
      targetId: row!.id,
      data: {
        name: input.name,
        webhookUrl: input.webhookUrl,
        timeLimitSeconds: input.timeLimitSeconds,
        handoffKeywords: input.handoffKeywords,
      },
      ip: m.ip,
      userAgent: m.userAgent,
      tokenId: m.tokenId,
      at: tx.now,
    });
    return { row: row!, signingSecret, token };
  });
}

/** New signing secret and token for a bot (the old token stops at once); shown once in the answer. */
export async function renewBotCredentials(ctx: AppContext, m: BotManager, id: string) {
  const signingSecret = newSigningSecret();
  return transact(ctx, async (tx) => {
    const [row] = await tx.q.query<BotRow>(
      `update bots set secret_enc = $3, updated_at = $4 where workspace_id = $1 and id = $2 returning ${BOT_COLUMNS}`,
      [m.workspaceId, id, ctx.secrets.seal(signingSecret), tx.now],
    );
    if (!row) throw notFound("Bot");
    const token = await issueBotToken(tx, row, m);
    await recordAudit(tx.q, {
      workspaceId: m.workspaceId,
      userId: m.userId,
      action: "bot.credentials_renewed",
      targetType: "bot",
      targetId: id,
      data: { name: row.name },
      ip: m.ip,
      userAgent: m.userAgent,
      tokenId: m.tokenId,
      at: tx.now,
    });
    return { row, signingSecret, token };
  });
}
