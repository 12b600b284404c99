import type { z } from "zod";
import type { AppContext } from "../../../context";
import type { Queryable } from "../../../db/client";
import { notFound } from "../../../lib/errors";
import type { HoursInput } from "../schema";

/**
 * Sets the workspace's hours (teamId null) or a team's own. Nothing is precomputed from them: time limits
 * and reports read the schedule when they count (see docs/features/business-hours.md), so a change applies
 * at once everywhere.
 */
export async function saveHours(
  ctx: AppContext,
  workspaceId: string,
  teamId: string | null,
  input: z.infer<typeof HoursInput>,
) {
  await ctx.db.tx(async (q) => {
    await mustBeOwnTeam(q, workspaceId, teamId);
    const params = [
      workspaceId,
      teamId,
      input.timeZone,
      JSON.stringify(input.weekly),
      JSON.stringify(input.holidays),
      ctx.clock.now(),
    ];
    const updated = await q.query(
      `update business_hours set time_zone = $3, weekly = $4, holidays = $5, updated_at = $6
       where workspace_id = $1 and team_id is not distinct from $2 returning id`,
      params,
    );
    if (!updated.length) {
      await q.query(
        `insert into business_hours (workspace_id, team_id, time_zone, weekly, holidays, updated_at)
         values ($1, $2, $3, $4, $5, $6)`,
        params,
      );
    }
  });
}

/** Removes the workspace's hours (always open) or a team's own (it uses the workspace's again). */
export async function clearHours(ctx: AppContext, workspaceId: string, teamId: string | null) {
  await mustBeOwnTeam(ctx.db, workspaceId, teamId);
  await ctx.db.query(
    "delete from business_hours where workspace_id = $1 and team_id is not distinct from $2",
    [workspaceId, teamId],
  );
}

/** A team's hours are the workspace's own team's only: another workspace's team is not found (404). */
async function mustBeOwnTeam(q: Queryable, workspaceId: string, teamId: string | null) {
  if (!teamId) return;
  const t = await q.query("select 1 from teams where id = $1 and workspace_id = $2", [teamId, workspaceId]);
  if (!t.length) throw notFound("Team");
}
