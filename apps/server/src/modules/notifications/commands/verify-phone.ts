import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { safeEqual } from "../../../lib/crypto";
import { AppError } from "../../../lib/errors";
import { CODE_TRIES, phoneCodeHash } from "../phone-codes";

/**
 * Confirms the number with the code: single-use (cleared on success), within ten minutes, five wrong tries
 * at most (each answered with how many are left). The verified number replaces the previous one.
 */
type Outcome = { refused: string; triesLeft?: number } | { phone: string };

export async function verifyPhone(ctx: AppContext, actor: Actor, code: string) {
  // The transaction answers the outcome; a refusal is thrown after it committed, so a wrong try counts.
  const outcome = await transact(ctx, async (tx): Promise<Outcome> => {
    const [row] = await tx.q.query<{
      pending_phone: string | null;
      code_hash: string | null;
      code_expires_at: Date | null;
      code_attempts: number;
    }>(
      `select pending_phone, code_hash, code_expires_at, code_attempts from agent_phones
       where user_id = $1 and workspace_id = $2 for update`,
      [actor.userId, actor.workspaceId],
    );
    if (!row?.pending_phone || !row.code_hash || !row.code_expires_at)
      return { refused: "No code is waiting: enter your number and ask for a code first." };
    if (row.code_expires_at.getTime() <= tx.now.getTime())
      return { refused: "The code has expired (codes last 10 minutes): ask for a new one." };
    if (row.code_attempts >= CODE_TRIES) return { refused: "Too many wrong codes: ask for a new one." };
    if (!safeEqual(phoneCodeHash(ctx, actor.userId, row.pending_phone, code), row.code_hash)) {
      await tx.q.query("update agent_phones set code_attempts = code_attempts + 1 where user_id = $1", [
        actor.userId,
      ]);
      const left = CODE_TRIES - row.code_attempts - 1;
      return {
        refused:
          left > 0
            ? `That code is not right: ${left} ${left === 1 ? "try" : "tries"} left.`
            : "That code is not right, and it was the last try: ask for a new code.",
        triesLeft: left,
      };
    }
    // Single-use: the code is cleared as the number becomes the verified one.
    await tx.q.query(
      `update agent_phones set phone = pending_phone, verified_at = $2, pending_phone = null, code_hash = null,
         code_expires_at = null, code_attempts = 0, updated_at = $2
       where user_id = $1`,
      [actor.userId, tx.now],
    );
    return { phone: row.pending_phone };
  });
  if ("refused" in outcome)
    throw new AppError(
      "unprocessable",
      outcome.refused,
      outcome.triesLeft === undefined ? undefined : { triesLeft: outcome.triesLeft },
    );
  return { phone: outcome.phone, verified: true };
}
