import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { egressPolicy, refusalOfUrl } from "../../../lib/egress";
import { badRequest } from "../../../lib/errors";
import type { Subscription } from "../schema";

/** Registers a browser's push subscription for the actor. */
export async function subscribePush(ctx: AppContext, actor: Actor, sub: Subscription) {
  // Browsers' push services are public https servers; anything else would make the server post to an
  // address of the caller's choosing.
  const refused = await refusalOfUrl(egressPolicy(ctx.config), sub.endpoint, { httpsOnly: true });
  if (refused) throw badRequest(`This push endpoint cannot be used: ${refused}.`);
  // An endpoint belongs to one browser profile: re-registering moves it to whoever signed in there.
  await ctx.db.query(
    `insert into push_subscriptions (workspace_id, user_id, endpoint, p256dh, auth) values ($1, $2, $3, $4, $5)
     on conflict (endpoint) do update set workspace_id = excluded.workspace_id, user_id = excluded.user_id,
       p256dh = excluded.p256dh, auth = excluded.auth`,
    [actor.workspaceId, actor.userId, sub.endpoint, sub.keys.p256dh, sub.keys.auth],
  );
}
