import type { RuleAction, RuleConditions } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import { AppError } from "../../../lib/errors";

const KINDS = {
  users: { table: "users", extra: " and status = 'active'", what: "an agent who is not an active member" },
  teams: { table: "teams", extra: "", what: "a team that does not exist" },
  tags: { table: "tags", extra: "", what: "a tag that does not exist" },
  canned: { table: "canned_replies", extra: "", what: "a canned reply that does not exist" },
  connections: { table: "channel_connections", extra: "", what: "a connection that does not exist" },
} as const;

/** Refuses (400) a rule that names an agent, team, tag, canned reply or connection the workspace does not have. */
export async function checkReferences(
  q: Queryable,
  workspaceId: string,
  conditions: RuleConditions,
  actions: RuleAction[],
) {
  const ids: Record<keyof typeof KINDS, string[]> = {
    users: [],
    teams: [],
    tags: [...(conditions.contactTagIds ?? [])],
    canned: [],
    connections: [...(conditions.connectionIds ?? [])],
  };
  for (const a of actions) {
    if (a.type === "assign") {
      if (a.userId) ids.users.push(a.userId);
      if (a.teamId) ids.teams.push(a.teamId);
    }
    if (a.type === "add_tag" || a.type === "remove_tag") ids.tags.push(a.tagId);
    if (a.type === "reply") ids.canned.push(a.cannedReplyId);
  }
  for (const [kind, list] of Object.entries(ids) as [keyof typeof KINDS, string[]][]) {
    const wanted = [...new Set(list)];
    if (!wanted.length) continue;
    const { table, extra, what } = KINDS[kind];
    const found = await q.query<{ id: string }>(
      `select id::text from ${table} where workspace_id = $1 and id = any($2::uuid[])${extra}`,
      [workspaceId, wanted],
    );
    const missing = wanted.filter((id) => !found.some((f) => f.id === id));
    if (missing.length)
      throw new AppError(
        "validation_failed",
        `The rule refers to ${what} in this workspace (${missing.join(", ")}): choose another.`,
      );
  }
}
