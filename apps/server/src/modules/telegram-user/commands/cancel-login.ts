import { type AppContext, transact } from "../../../context";
import { notFound } from "../../../lib/errors";
import type { ConnectionActor } from "../../connections/commands/activate";

/** The admin closed the dialog: the sign-in in progress is forgotten (404 when it is not the workspace's). */
export function cancelLogin(ctx: AppContext, actor: ConnectionActor, loginId: string): Promise<void> {
  return transact(ctx, async (tx) => {
    const gone = await tx.q.query(
      "delete from telegram_user_logins where id = $1 and workspace_id = $2 returning id",
      [loginId, actor.workspaceId],
    );
    if (gone.length === 0) throw notFound("Telegram sign-in");
  });
}
