import type { RuleAction, RuleConditions } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import { AppError } from "../../../lib/errors";
import { TEMPLATE_COLUMNS, type TemplateRow } from "../../templates/present";
import { renderTemplate } from "../../templates/render";

const KINDS = {
  users: { table: "users", extra: " and status = 'active'", what: "an agent who is not an active member" },
  teams: { table: "teams", extra: "", what: "a team that does not exist" },
  tags: { table: "tags", extra: "", what: "a tag that does not exist" },
  canned: { table: "canned_replies", extra: "", what: "a canned reply that does not exist" },
  connections: { table: "channel_connections", extra: "", what: "a connection that does not exist" },
  bots: { table: "bots", extra: "", what: "a bot that does not exist" },
} as const;

/**
 * Refuses (400) a rule that names an agent, team, tag, canned reply, connection or bot the workspace does not
 * have, or a message template it does not have, that is not approved, or whose values do not fit it.
 */
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
    bots: [],
  };
  for (const a of actions) {
    if (a.type === "assign") {
      if (a.userId) ids.users.push(a.userId);
      if (a.teamId) ids.teams.push(a.teamId);
    }
    if (a.type === "add_tag" || a.type === "remove_tag") ids.tags.push(a.tagId);
    if (a.type === "reply") ids.canned.push(a.cannedReplyId);
    if (a.type === "assign_bot") ids.bots.push(a.botId);
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
  for (const a of actions) if (a.type === "template") await checkTemplate(q, workspaceId, a);
}

/** A template action's template: the workspace's, approved, and its values fill its placeholders. */
async function checkTemplate(
  q: Queryable,
  workspaceId: string,
  a: Extract<RuleAction, { type: "template" }>,
) {
  const [tpl] = await q.query<TemplateRow>(
    `select ${TEMPLATE_COLUMNS} from message_templates where workspace_id = $1 and id = $2`,
    [workspaceId, a.templateId],
  );
  if (!tpl)
    throw new AppError(
      "validation_failed",
      `The rule refers to a message template that does not exist in this workspace (${a.templateId}): sync the connection's templates and choose one.`,
    );
  if (tpl.status !== "APPROVED")
    throw new AppError(
      "validation_failed",
      `The template "${tpl.name}" (${tpl.language}) is ${tpl.status.toLowerCase()}: only approved templates can be sent.`,
    );
  try {
    renderTemplate(tpl.components, a.variables);
  } catch (err) {
    throw new AppError("validation_failed", `Template "${tpl.name}": ${(err as Error).message}`);
  }
}
