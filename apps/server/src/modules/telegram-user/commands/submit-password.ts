import type { AppContext } from "../../../context";
import type { ConnectionActor } from "../../connections/commands/activate";
import type { ConnectionRow } from "../../connections/schemas";
import { loginError } from "../login-errors";
import { finishLogin } from "./finish-login";
import { loadLogin } from "./login-state";
import { telegramUserAdapter } from "./start-login";

/** The account's cloud password (two-step verification): the library computes the SRP proof from it. */
export async function submitPassword(
  ctx: AppContext,
  actor: ConnectionActor,
  loginId: string,
  password: string,
): Promise<ConnectionRow> {
  const { row, state } = await loadLogin(
    ctx.db,
    ctx.secrets,
    actor.workspaceId,
    loginId,
    "password",
    ctx.clock.now(),
  );
  const client = telegramUserAdapter(ctx).mtproto.create({
    apiId: state.apiId,
    apiHash: state.apiHash,
    session: state.session,
  });
  try {
    await client.connect();
    const self = await client.checkPassword(password);
    return await finishLogin(ctx, actor, row, state, client.session(), self);
  } catch (err) {
    throw loginError(err);
  } finally {
    await client.disconnect().catch(() => {});
  }
}
