import type { Queryable } from "../../../db/client";
import { type AutoReplyRow, type HoursRowFull, presentAutoReply, presentHours } from "../present";

/** The workspace's hours and each team's own (null where the team uses the workspace's). */
export async function hoursOverview(q: Queryable, workspaceId: string) {
  const rows = await q.query<HoursRowFull>(
    "select team_id, time_zone, weekly, holidays, updated_at from business_hours where workspace_id = $1",
    [workspaceId],
  );
  const teams = await q.query<{ id: string; name: string }>(
    "select id, name from teams where workspace_id = $1 order by lower(name)",
    [workspaceId],
  );
  const ws = rows.find((r) => r.team_id === null);
  return {
    workspace: ws ? presentHours(ws) : null,
    teams: teams.map((t) => {
      const own = rows.find((r) => r.team_id === t.id);
      return { teamId: t.id, name: t.name, hours: own ? presentHours(own) : null };
    }),
  };
}

/** Every connection of the workspace with its outside-hours reply (disabled where none is set). */
export async function listAutoReplies(q: Queryable, workspaceId: string) {
  const rows = await q.query<AutoReplyRow>(
    `select cc.id as connection_id, cc.name as connection_name, cc.type as channel, r.enabled, r.language, r.texts
     from channel_connections cc left join outside_hours_replies r on r.connection_id = cc.id
     where cc.workspace_id = $1 order by lower(cc.name), cc.id`,
    [workspaceId],
  );
  return rows.map(presentAutoReply);
}
