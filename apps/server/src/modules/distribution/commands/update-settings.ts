import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { AppError, notFound } from "../../../lib/errors";
import { DRAIN_JOB } from "../jobs";
import { presentSettings } from "../present";
import type { SettingsBody } from "../schema";
import type { ScopeRow } from "../scope";

/**
 * Sets the distribution of a connection's or a team's conversations (R701). Switching it on hands the
 * conversations already waiting to eligible agents.
 */
export async function updateSettings(
  ctx: AppContext,
  actor: Actor,
  scope: { kind: "connections" | "teams"; id: string },
  body: SettingsBody,
) {
  return transact(ctx, async (tx) => {
    const table = scope.kind === "connections" ? "channel_connections" : "teams";
    const found = await tx.q.query(`select 1 from ${table} where id = $1 and workspace_id = $2`, [
      scope.id,
      actor.workspaceId,
    ]);
    if (!found.length) throw notFound(scope.kind === "connections" ? "Connection" : "Team");
    const teams = [body.poolTeamId, body.fallbackTeamId].filter((t): t is string => t !== null);
    const known = await tx.q.query<{ id: string }>(
      "select id from teams where id = any($1::uuid[]) and workspace_id = $2",
      [teams, actor.workspaceId],
    );
    if (known.length !== new Set(teams).size) throw notFound("Team");
    if (scope.kind === "teams" && body.poolTeamId)
      throw new AppError(
        "bad_request",
        "A team's conversations go to its own members: leave poolTeamId empty.",
      );
    if (scope.kind === "teams" && body.fallbackTeamId === scope.id)
      throw new AppError("bad_request", "The fallback team must be another team.");
    const column = scope.kind === "connections" ? "connection_id" : "team_id";
    const [row] = await tx.q.query<ScopeRow>(
      `insert into distribution_settings (workspace_id, ${column}, mode, pool_team_id, reply_timeout_minutes,
         reassign_when_away, fallback_team_id, updated_at, match_language, match_tags, unmatched)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (${column}) where ${column} is not null do update set mode = excluded.mode,
         pool_team_id = excluded.pool_team_id, reply_timeout_minutes = excluded.reply_timeout_minutes,
         reassign_when_away = excluded.reassign_when_away, fallback_team_id = excluded.fallback_team_id,
         updated_at = excluded.updated_at, match_language = excluded.match_language,
         match_tags = excluded.match_tags, unmatched = excluded.unmatched
       returning *`,
      [
        actor.workspaceId,
        scope.id,
        body.mode,
        body.poolTeamId,
        body.replyTimeoutMinutes,
        body.reassignWhenAway,
        body.fallbackTeamId,
        tx.now,
        body.matchLanguage,
        body.matchTags,
        body.unmatched,
      ],
    );
    if (body.mode !== "manual") await tx.enqueue(DRAIN_JOB, { workspaceId: actor.workspaceId });
    return presentSettings(row!);
  });
}
