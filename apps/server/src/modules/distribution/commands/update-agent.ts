import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { AppError, notFound } from "../../../lib/errors";
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
    const languages = body.languages === undefined ? null : [...new Set(body.languages)];
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
        actor.workspaceId,
        body.maxOpen ?? null,
        body.onVacation ?? null,
        tx.now,
        body.maxOpen !== undefined,
        languages,
        tagIds,
        body.channelMaxOpen === undefined ? null : JSON.stringify(body.channelMaxOpen),
      ],
    );
    await tx.enqueue(SWEEP_JOB, { workspaceId: actor.workspaceId });
    return presentAgent(userId, row!);
  });
}

export const presentAgent = (userId: string, r: AgentRow) => ({
  userId,
  maxOpen: r.max_open,
  onVacation: r.on_vacation,
  languages: r.languages,
  tagIds: r.tag_ids,
  channelMaxOpen: r.channel_max_open,
});
