import { type AppContext, transact } from "../../../context";
import { kysely } from "../../../db/kysely";
import type { SessionActor } from "../../../http/types";
import { AppError } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { hashPassword, verifyPassword } from "../../auth/sessions";
import { endSessions } from "./end-sessions";

/** Changes my password when the current one is right; my other sessions are signed out (answers how many). */
export async function changePassword(
  ctx: AppContext,
  actor: SessionActor,
  passwords: { currentPassword: string; newPassword: string },
  source: { ip: string | null; userAgent: string | null },
): Promise<number> {
  const k = kysely(ctx.db);
  const row = await k
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", actor.userId)
    .where("workspace_id", "=", actor.workspaceId)
    .executeTakeFirst();
  if (!row?.password_hash || !(await verifyPassword(row.password_hash, passwords.currentPassword)))
    throw new AppError("invalid_credentials", "The current password is wrong.");
  const hash = await hashPassword(passwords.newPassword);
  await transact(ctx, async (tx) => {
    await kysely(tx.q)
      .updateTable("users")
      .set({ password_hash: hash, updated_at: tx.now })
      .where("id", "=", actor.userId)
      .execute();
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "auth.password_changed",
      targetType: "user",
      targetId: actor.userId,
      ...source,
      at: tx.now,
    });
  });
  return endSessions(ctx, actor.workspaceId, actor.userId, actor.sessionId);
}
