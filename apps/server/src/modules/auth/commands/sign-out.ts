import type { AppContext } from "../../../context";

/** Ends a session. */
export async function signOut(ctx: AppContext, sessionId: string) {
  await ctx.db.query("delete from sessions where id = $1", [sessionId]);
}
