import type { AppContext } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import { existInWorkspace } from "../../../db/exists";
import { kysely } from "../../../db/kysely";
import { notFound } from "../../../lib/errors";
import { refuseIfRulesUse } from "../../rules/references";
import { listTeams } from "../queries/teams";

/** Creates a team; a name already used is a 409. */
export async function createTeam(ctx: AppContext, workspaceId: string, name: string) {
  const { id } = await kysely(ctx.db)
    .insertInto("teams")
    .values({ workspace_id: workspaceId, name, created_at: ctx.clock.now() })
    .returning("id")
    .executeTakeFirstOrThrow()
    .catch(uniqueViolation(`A team named "${name}" already exists.`));
  return (await listTeams(ctx.db, workspaceId, id))[0]!;
}

/** Adds a person of the workspace to one of its teams (adding twice changes nothing) and answers the team. */
export async function addTeamMember(ctx: AppContext, workspaceId: string, teamId: string, userId: string) {
  const both = await existInWorkspace(ctx.db, workspaceId, { t: ["teams", teamId], u: ["users", userId] });
  if (!both.t) throw notFound("Team");
  if (!both.u) throw notFound("User");
  await kysely(ctx.db)
    .insertInto("team_members")
    .values({ team_id: teamId, user_id: userId })
    .onConflict((oc) => oc.doNothing())
    .execute();
  ctx.bus.access({ workspaceId, userIds: [userId] }); // the team's queue becomes visible on their sockets
  return (await listTeams(ctx.db, workspaceId, teamId))[0]!;
}

/** Takes a person out of a team; 404 when they were not in it. */
export async function removeTeamMember(ctx: AppContext, workspaceId: string, teamId: string, userId: string) {
  const removed = await kysely(ctx.db)
    .deleteFrom("team_members as m")
    .using("teams as t")
    .whereRef("m.team_id", "=", "t.id")
    .where("t.workspace_id", "=", workspaceId)
    .where("m.team_id", "=", teamId)
    .where("m.user_id", "=", userId)
    .returning("m.user_id")
    .executeTakeFirst();
  if (!removed) throw notFound("Team member");
  ctx.bus.access({ workspaceId, userIds: [userId] });
}

/** Deletes a team (its members stay people of the workspace). */
export async function deleteTeam(ctx: AppContext, workspaceId: string, id: string) {
  await refuseIfRulesUse(ctx.db, workspaceId, { teamId: id }, "This team");
  const members = await kysely(ctx.db)
    .selectFrom("team_members")
    .select("user_id")
    .where("team_id", "=", id)
    .execute();
  const removed = await kysely(ctx.db)
    .deleteFrom("teams")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .returning("id")
    .executeTakeFirst();
  if (!removed) throw notFound("Team");
  if (members.length) ctx.bus.access({ workspaceId, userIds: members.map((m) => m.user_id) });
}
