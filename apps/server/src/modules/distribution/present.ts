import type { z } from "zod";
import type { DistributionSettings } from "./schema";
import type { ScopeRow } from "./scope";

export function presentSettings(r: ScopeRow): z.infer<typeof DistributionSettings> {
  return {
    id: r.id,
    connectionId: r.connection_id,
    teamId: r.team_id,
    mode: r.mode,
    poolTeamId: r.pool_team_id,
    replyTimeoutMinutes: r.reply_timeout_minutes,
    reassignWhenAway: r.reassign_when_away,
    fallbackTeamId: r.fallback_team_id,
    matchLanguage: r.match_language,
    matchTags: r.match_tags,
    unmatched: r.unmatched,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
