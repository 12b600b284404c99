import type { Queryable } from "../../../db/client";
import { notFound } from "../../../lib/errors";
import type { RuleInput } from "../schema";
import type { Audience } from "../settings";

/** How many of the ids are this workspace's rows of the table (each id counted once). */
async function countOwn(
  q: Queryable,
  table: "tags" | "channel_connections" | "teams" | "users",
  workspaceId: string,
  ids: Set<string>,
) {
  const [r] = await q.query<{ n: number }>(
    `select count(*)::int as n from ${table} where workspace_id = $1 and id = any($2::uuid[])`,
    [workspaceId, [...ids]],
  );
  return r?.n ?? 0;
}

/** Rules may name only this workspace's tags and connections (else: 404, as for any foreign id). */
export async function checkRuleRefs(q: Queryable, workspaceId: string, rules: RuleInput[]) {
  const tagIds = new Set(rules.map((r) => r.tagId).filter((x): x is string => !!x));
  const connIds = new Set(rules.map((r) => r.connectionId).filter((x): x is string => !!x));
  if ((await countOwn(q, "tags", workspaceId, tagIds)) !== tagIds.size) throw notFound("Tag");
  if ((await countOwn(q, "channel_connections", workspaceId, connIds)) !== connIds.size)
    throw notFound("Channel connection");
}

/** An audience may name only this workspace's teams and users. */
export async function checkAudience(q: Queryable, workspaceId: string, a: Audience | null) {
  if (!a) return;
  const teamIds = new Set(a.teamIds);
  const userIds = new Set(a.userIds);
  if ((await countOwn(q, "teams", workspaceId, teamIds)) !== teamIds.size) throw notFound("Team");
  if ((await countOwn(q, "users", workspaceId, userIds)) !== userIds.size) throw notFound("User");
}

/** Replaces the rules of one owner, or the workspace's (owner null). */
export async function replaceRules(
  q: Queryable,
  workspaceId: string,
  ownerId: string | null,
  rules: (RuleInput & { recipients?: Audience | null })[],
) {
  if (ownerId) {
    await q.query("delete from notification_rules where workspace_id = $1 and owner_id = $2", [
      workspaceId,
      ownerId,
    ]);
  } else {
    await q.query("delete from notification_rules where workspace_id = $1 and owner_id is null", [
      workspaceId,
    ]);
  }
  for (const r of rules) {
    await q.query(
      `insert into notification_rules (workspace_id, owner_id, recipients, match, tag_id, connection_id, means, timing, delay_minutes)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        workspaceId,
        ownerId,
        r.recipients ? JSON.stringify(r.recipients) : null,
        r.match,
        r.match === "tag" ? r.tagId : null,
        r.match === "channel" ? r.connectionId : null,
        [...new Set(r.means)],
        r.timing,
        r.timing === "delay" ? r.delayMinutes : 0,
      ],
    );
  }
}
