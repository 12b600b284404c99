import { MtprotoError } from "../../../channels/telegram-user/boundary";
import { type AppContext, transact } from "../../../context";
import type { ConnectionActor } from "../../connections/commands/activate";
import type { ConnectionRow } from "../../connections/schemas";
import { loginError } from "../login-errors";
import { finishLogin } from "./finish-login";
import { loadLogin } from "./login-state";
import { type LoginView, telegramUserAdapter } from "./start-login";

/**
 * The login code the admin read in Telegram: signs in on the key the code was asked with. An account with a cloud
 * password moves the sign-in to the password step (with Telegram's hint); otherwise the connection is made. An
 * expired code ends the sign-in (a new code is asked by starting again).
 */
export async function submitCode(
  ctx: AppContext,
  actor: ConnectionActor,
  loginId: string,
  code: string,
): Promise<{ login: LoginView } | { connection: ConnectionRow }> {
  const { row, state } = await loadLogin(
    ctx.db,
    ctx.secrets,
    actor.workspaceId,
    loginId,
    "code",
    ctx.clock.now(),
  );
  const client = telegramUserAdapter(ctx).mtproto.create({
    apiId: state.apiId,
    apiHash: state.apiHash,
    session: state.session,
  });
  try {
    await client.connect();
    try {
      const self = await client.signIn(state.phone, state.phoneCodeHash, code);
      return { connection: await finishLogin(ctx, actor, row, state, client.session(), self) };
    } catch (err) {
      if (!(err instanceof MtprotoError) || err.code !== "SESSION_PASSWORD_NEEDED") throw err;
    }
    const hint = await client.passwordHint();
    const session = client.session();
    return transact(ctx, async (tx) => {
      await tx.q.query(
        "update telegram_user_logins set step = 'password', password_hint = $2, state_enc = $3 where id = $1",
        [row.id, hint, ctx.secrets.seal({ ...state, session })],
      );
      return {
        login: { id: row.id, step: "password" as const, passwordHint: hint, expiresAt: row.expires_at },
      };
    });
  } catch (err) {
    const e = loginError(err);
    // An expired code cannot be entered again: this sign-in is over.
    if ((e.details as { reason?: string } | undefined)?.reason === "code_expired")
      await transact(ctx, (tx) => tx.q.query("delete from telegram_user_logins where id = $1", [row.id]));
    throw e;
  } finally {
    await client.disconnect().catch(() => {});
  }
}
