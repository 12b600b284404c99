import crypto from "node:crypto";
import { ChannelSendError } from "../../../channels/types";
import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { AppError } from "../../../lib/errors";
import { RateStore } from "../../../lib/rate-store";
import { CODE_TTL_MS, CODES_PER_WINDOW, phoneCodeHash } from "../phone-codes";
import { sendWorkspaceSms, smsWords, workspaceSmsConnection } from "../sms-send";

/**
 * Starts verifying an agent's number (R304): a six-digit code, kept only as a hash, sent by SMS through the
 * workspace's SMS connection. Refused without one (422), above three codes in ten minutes (429), and with
 * the provider's reason when it refuses the number (422).
 */
export async function requestPhoneCode(ctx: AppContext, actor: Actor, phone: string) {
  if (!(await workspaceSmsConnection(ctx.db, actor.workspaceId)))
    throw new AppError(
      "unprocessable",
      "The workspace has no SMS connection, so a code cannot be sent: ask an admin to connect one under Channels.",
    );
  const now = ctx.clock.now();
  const { count, resetAt } = await new RateStore(ctx.db).hit(
    `agent-phone-code:${actor.userId}`,
    now,
    CODE_TTL_MS,
  );
  if (count > CODES_PER_WINDOW)
    throw new AppError(
      "rate_limited",
      `Too many codes asked for: try again after ${resetAt.toISOString().slice(11, 16)} UTC.`,
      { retryAt: resetAt.toISOString() },
    );
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, "0");
  const [user] = await ctx.db.query<{ locale: string }>("select locale from users where id = $1", [
    actor.userId,
  ]);
  try {
    await sendWorkspaceSms(ctx, actor.workspaceId, phone, smsWords(user?.locale ?? "en").code(code));
  } catch (err) {
    const why = err instanceof ChannelSendError ? err.detail : (err as Error).message;
    throw new AppError("unprocessable", `The code could not be sent to ${phone}: ${why}`.slice(0, 500));
  }
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  await transact(ctx, async (tx) => {
    await tx.q.query(
      `insert into agent_phones (user_id, workspace_id, pending_phone, code_hash, code_expires_at, code_attempts, updated_at)
       values ($1, $2, $3, $4, $5, 0, $6)
       on conflict (user_id) do update set pending_phone = excluded.pending_phone, code_hash = excluded.code_hash,
         code_expires_at = excluded.code_expires_at, code_attempts = 0, updated_at = excluded.updated_at`,
      [actor.userId, actor.workspaceId, phone, phoneCodeHash(ctx, actor.userId, phone, code), expiresAt, now],
    );
  });
  return { pendingPhone: phone, expiresAt: expiresAt.toISOString() };
}
