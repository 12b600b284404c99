import { type AppContext, type Tx, transact } from "../../../context";
import type { Queryable } from "../../../db/client";
import type { Actor } from "../../../domain/permissions";
import { AppError, notFound } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
import { SWEEP_JOB } from "../jobs";
import type { AgentBody } from "../schema";

interface AgentRow {
  max_open: number | null;
  on_vacation: boolean;
  languages: string[];
  tag_ids: string[];
  channel_max_open: Record<string, number>;
}

/**
 * Sets an agent's capacity (most open conversations distribution gives them, overall and per channel type),
 * vacation, the languages they speak and the contact tags they handle; what the body leaves out stays.
 * Going on vacation sends their conversations awaiting a reply back to distribution; returning or more room
 * drains the queues.
 */
export async function updateAgent(ctx: AppContext, actor: Actor, userId: string, body: AgentBody) {
  return transact(ctx, async (tx) => {
    const found = await tx.q.query("select 1 from users where id = $1 and workspace_id = $2", [
      userId,
      actor.workspaceId,
    ]);
    if (!found.length) throw notFound("Agent");
    const tagIds = body.tagIds === undefined ? null : [...new Set(body.tagIds)];
    if (tagIds?.length) {
      const known = await tx.q.query<{ id: string }>(
        "select id from tags where id = any($1::uuid[]) and workspace_id = $2",
        [tagIds, actor.workspaceId],
      );
      const unknown = tagIds.filter((id) => !known.some((k) => k.id === id));
      if (unknown.length)
        throw new AppError(
          "bad_request",
          `These tags are not tags of this workspace: ${unknown.join(", ")}. Pick tags from the workspace's list.`,
        );
    }
    return presentAgent(userId, await writeAgent(tx, actor.workspaceId, userId, body));
  });
}

/**
 * Writes what the body gives of an agent's distribution settings (the rest stays) and asks for the queues
 * to be swept: a vacation sends their waiting conversations back, more room or other languages drain.
 */
async function writeAgent(tx: Tx, workspaceId: string, userId: string, body: AgentBody) {
  const languages = body.languages === undefined ? null : [...new Set(body.languages)];
  const tagIds = body.tagIds === undefined ? null : [...new Set(body.tagIds)];
  const [row] = await tx.q.query<AgentRow>(
    `insert into agent_distribution (user_id, workspace_id, max_open, on_vacation, languages, tag_ids,
       channel_max_open, updated_at)
     values ($1, $2, $3, coalesce($4, false), coalesce($7::text[], '{}'), coalesce($8::uuid[], '{}'),
       coalesce($9::jsonb, '{}'), $5)
     on conflict (user_id) do update set
       max_open = case when $6 then excluded.max_open else agent_distribution.max_open end,
       on_vacation = coalesce($4, agent_distribution.on_vacation),
       languages = coalesce($7::text[], agent_distribution.languages),
       tag_ids = coalesce($8::uuid[], agent_distribution.tag_ids),
       channel_max_open = coalesce($9::jsonb, agent_distribution.channel_max_open),
       updated_at = excluded.updated_at
     returning max_open, on_vacation, languages, tag_ids::text[] as tag_ids, channel_max_open`,
    [
      userId,
      workspaceId,
      body.maxOpen ?? null,
      body.onVacation ?? null,
      tx.now,
      body.maxOpen !== undefined,
      languages,
      tagIds,
      body.channelMaxOpen === undefined ? null : JSON.stringify(body.channelMaxOpen),
    ],
  );
  await tx.enqueue(SWEEP_JOB, { workspaceId });
  return row!;
}

/**
 * Sets the languages I speak (settings → profile), as an admin would on the distribution page: stored in
 * lower case without repeats, the queues drained for them, and an audit entry with the old and new list.
 */
export async function setMyLanguages(
  ctx: AppContext,
  actor: Actor,
  languages: NonNullable<AgentBody["languages"]>,
  source: AuditSource,
): Promise<string[]> {
  return transact(ctx, async (tx) => {
    const before = await myLanguages(tx.q, actor);
    const row = await writeAgent(tx, actor.workspaceId, actor.userId, { languages });
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "profile.languages_changed",
      targetType: "user",
      targetId: actor.userId,
      data: { from: before, to: row.languages },
      ...source,
      at: tx.now,
    });
    return row.languages;
  });
}

/** The languages I speak, as distribution matches them (none until someone sets them). */
export async function myLanguages(q: Queryable, actor: Actor): Promise<string[]> {
  const [row] = await q.query<{ languages: string[] }>(
    "select languages from agent_distribution where user_id = $1 and workspace_id = $2",
    [actor.userId, actor.workspaceId],
  );
  return row?.languages ?? [];
}

export const presentAgent = (userId: string, r: AgentRow) => ({
  userId,
  maxOpen: r.max_open,
  onVacation: r.on_vacation,
  languages: r.languages,
  tagIds: r.tag_ids,
  channelMaxOpen: r.channel_max_open,
});
