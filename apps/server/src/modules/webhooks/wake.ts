import type { AppContext } from "../../context";

/** The NOTIFY channel that tells every process's dispatcher there is new webhook work (PostgreSQL). */
export const WEBHOOKS_CHANNEL = "parley_webhooks";

const wakers = new WeakMap<AppContext, () => void>();

/** The dispatcher of this process (worker role) registers here, so commands can wake it after commit. */
export function registerWaker(ctx: AppContext, wake: () => void): () => void {
  wakers.set(ctx, wake);
  return () => void wakers.delete(ctx);
}

/**
 * After a command queued deliveries (a test event, sent again, an endpoint turned on): this process's
 * dispatcher runs at once, and on PostgreSQL so do the other processes' (else their poll finds the work).
 */
export async function wakeDispatcher(ctx: AppContext): Promise<void> {
  wakers.get(ctx)?.();
  if (ctx.db.kind === "postgres") await ctx.db.query("select pg_notify($1, '')", [WEBHOOKS_CHANNEL]);
}
