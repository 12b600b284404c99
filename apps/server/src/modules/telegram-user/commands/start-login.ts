import type { TelegramUserAdapter } from "../../../channels/telegram-user/adapter";
import type { StartLogin } from "../../../channels/telegram-user/payloads";
import { type AppContext, transact } from "../../../context";
import { AppError, notFound } from "../../../lib/errors";
import type { ConnectionActor } from "../../connections/commands/activate";
import { loginError } from "../login-errors";
import { LOGIN_TTL_MS, type LoginState } from "./login-state";

export const telegramUserAdapter = (ctx: AppContext) =>
  ctx.channels.get("telegram_user") as TelegramUserAdapter;

export interface LoginView {
  id: string;
  step: "code" | "password";
  passwordHint: string | null;
  expiresAt: Date;
}

/**
 * First step of connecting a personal Telegram account: Telegram sends a login code to the account (`auth.sendCode`
 * on a new authorization key); the sign-in is kept in the database, sealed, so any process takes the next step.
 */
export async function startLogin(
  ctx: AppContext,
  actor: ConnectionActor,
  input: StartLogin,
): Promise<LoginView> {
  if (input.connectionId) {
    const [c] = await ctx.db.query<{ type: string }>(
      "select type from channel_connections where id = $1 and workspace_id = $2",
      [input.connectionId, actor.workspaceId],
    );
    if (!c) throw notFound("Channel connection");
    if (c.type !== "telegram_user")
      throw new AppError("bad_request", "Only a personal Telegram connection is reconnected by signing in.");
  }
  const client = telegramUserAdapter(ctx).mtproto.create({
    apiId: input.apiId,
    apiHash: input.apiHash,
    session: "",
  });
  let state: LoginState;
  try {
    await client.connect();
    const { phoneCodeHash } = await client.sendCode(input.phone);
    state = {
      apiId: input.apiId,
      apiHash: input.apiHash,
      phone: input.phone,
      phoneCodeHash,
      session: client.session(),
    };
  } catch (err) {
    throw loginError(err);
  } finally {
    await client.disconnect().catch(() => {});
  }
  return transact(ctx, async (tx) => {
    const expiresAt = new Date(tx.now.getTime() + LOGIN_TTL_MS);
    const [row] = await tx.q.query<{ id: string }>(
      `insert into telegram_user_logins (workspace_id, created_by, connection_id, name, step, state_enc, expires_at, created_at)
       values ($1, $2, $3, $4, 'code', $5, $6, $7) returning id`,
      [
        actor.workspaceId,
        actor.userId,
        input.connectionId ?? null,
        input.name,
        ctx.secrets.seal(state),
        expiresAt,
        tx.now,
      ],
    );
    // Sign-ins left unfinished for a day are dropped here rather than by a scheduled task.
    await tx.q.query(
      "delete from telegram_user_logins where workspace_id = $1 and expires_at < $2::timestamptz - interval '1 day'",
      [actor.workspaceId, tx.now],
    );
    return { id: row!.id, step: "code", passwordHint: null, expiresAt };
  });
}
