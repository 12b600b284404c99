import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";

/**
 * The first-run checklist, from what the workspace holds: a channel connected, a second person in the team
 * (or invited), business hours set, and a customer message received. Shown until every step is done or the person puts it away.
 */
export async function firstRun(ctx: AppContext, actor: Actor) {
  const [row] = await ctx.db.query<{
    channel: boolean;
    team: boolean;
    hours: boolean;
    message: boolean;
    dismissed: boolean;
  }>(
    `select
       exists (select 1 from channel_connections where workspace_id = $1) as channel,
       exists (select 1 from users where workspace_id = $1 and id <> $2)
         or exists (select 1 from invitations where workspace_id = $1) as team,
       exists (select 1 from business_hours where workspace_id = $1) as hours,
       exists (select 1 from conversations where workspace_id = $1 and last_inbound_seq > 0) as message,
       exists (select 1 from first_run_dismissals where user_id = $2) as dismissed`,
    [actor.workspaceId, actor.userId],
  );
  const steps = {
    channel: !!row?.channel,
    team: !!row?.team,
    hours: !!row?.hours,
    testMessage: !!row?.message,
  };
  return { show: !row?.dismissed && !Object.values(steps).every(Boolean), steps };
}
