import type { Queryable } from "../../../db/client";

interface Row {
  bot_id: string;
  name: string;
  handled: number;
  resolved: number;
  api: number;
  keyword: number;
  timeout: number;
  agent: number;
  median_handover_s: number | null;
}

/**
 * Per bot, over the sessions that started in [from, to): conversations handled (one per time it was handed to
 * the bot); resolved by the bot (the conversation was closed while the bot held it: a "closed" line in its
 * feed between the session's start and its end, or now for a session still open); handed over, by reason
 * (the bot's API, a hand-off keyword, its time limit, or a person taking it back); and the median time from
 * being handed to the bot to being handed over. Bots without sessions show zeros.
 */
export async function botReport(q: Queryable, workspaceId: string, from: Date, to: Date) {
  const rows = await q.query<Row>(
    `select b.id as bot_id, b.name,
       count(s.id)::int as handled,
       count(s.id) filter (where exists (
         select 1 from messages m
         where m.conversation_id = s.conversation_id and m.kind = 'event' and m.event->>'kind' = 'closed'
           and m.created_at >= s.started_at and (s.ended_at is null or m.created_at <= s.ended_at)))::int as resolved,
       count(s.id) filter (where s.handover_reason = 'api')::int as api,
       count(s.id) filter (where s.handover_reason = 'keyword')::int as keyword,
       count(s.id) filter (where s.handover_reason = 'timeout')::int as timeout,
       count(s.id) filter (where s.handover_reason = 'agent')::int as agent,
       (percentile_cont(0.5) within group (order by extract(epoch from s.ended_at - s.started_at))
         filter (where s.handover_reason is not null))::float8 as median_handover_s
     from bots b
     left join bot_sessions s on s.bot_id = b.id and s.workspace_id = b.workspace_id
       and s.started_at >= $2 and s.started_at < $3
     where b.workspace_id = $1
     group by b.id, b.name order by lower(b.name), b.id`,
    [workspaceId, from, to],
  );
  return rows.map((r) => ({
    botId: r.bot_id,
    name: r.name,
    handled: r.handled,
    resolved: r.resolved,
    handedOver: r.api + r.keyword + r.timeout + r.agent,
    byReason: { api: r.api, keyword: r.keyword, timeout: r.timeout, agent: r.agent },
    medianHandoverSeconds: r.median_handover_s === null ? null : Math.round(r.median_handover_s),
  }));
}
