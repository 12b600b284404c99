import crypto from "node:crypto";
import type { TgSelf } from "../../../channels/telegram-user/boundary";
import type { TelegramUserCredentials } from "../../../channels/telegram-user/payloads";
import { type AppContext, transact } from "../../../context";
import { recordAudit } from "../../audit/record";
import type { ConnectionActor } from "../../connections/commands/activate";
import { CONNECTION_COLUMNS, type ConnectionRow } from "../../connections/schemas";
import type { LoginRow, LoginState } from "./login-state";

/**
 * The account signed in: its session string is stored sealed as the connection's credentials (a new connection,
 * or the one being reconnected, whose ended session is cleared), and the sign-in row goes.
 */
export async function finishLogin(
  ctx: AppContext,
  actor: ConnectionActor,
  login: LoginRow,
  state: LoginState,
  session: string,
  self: TgSelf,
): Promise<ConnectionRow> {
  const credentials: TelegramUserCredentials = {
    apiId: state.apiId,
    apiHash: state.apiHash,
    phone: state.phone,
    session,
    userId: self.userId,
  };
  return transact(ctx, async (tx) => {
    const sealed = ctx.secrets.seal(credentials);
    let row: ConnectionRow | undefined;
    if (login.connection_id) {
      [row] = await tx.q.query<ConnectionRow>(
        `update channel_connections set credentials_enc = $3, last_error = null, last_error_at = null, updated_at = $4
         where id = $1 and workspace_id = $2 returning ${CONNECTION_COLUMNS}`,
        [login.connection_id, actor.workspaceId, sealed, tx.now],
      );
      await tx.q.query(
        "update telegram_user_sessions set revoked_at = null, lease_owner = null, lease_until = null where connection_id = $1",
        [login.connection_id],
      );
    }
    if (!row) {
      [row] = await tx.q.query<ConnectionRow>(
        `insert into channel_connections (id, workspace_id, type, name, credentials_enc, settings, created_at, updated_at)
         values ($1, $2, 'telegram_user', $3, $4, '{}', $5, $5) returning ${CONNECTION_COLUMNS}`,
        [crypto.randomUUID(), actor.workspaceId, login.name, sealed, tx.now],
      );
    }
    await tx.q.query("delete from telegram_user_logins where id = $1", [login.id]);
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: login.connection_id ? "connection.credentials_replaced" : "connection.created",
      targetType: "connection",
      targetId: row!.id,
      data: { type: "telegram_user", name: login.name, telegramUserId: self.userId },
      ip: actor.ip,
      userAgent: actor.userAgent,
      at: tx.now,
    });
    return row!;
  });
}
