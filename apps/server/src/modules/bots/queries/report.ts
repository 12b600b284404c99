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
}

/**
 * Per bot, over the sessions that started in [from, to): conversations handled (one per time it was handed to
 * the bot), resolved by the bot (its session never handed over and the conversation is closed), and handed
 * over, by reason. Bots without sessions show zeros.
 */
export async function botReport(q: Queryable, workspaceId: string, from: Date, to: Date) {
  const rows = await q.query<Row>(
    `select b.id as bot_id, b.name,
       count(s.id)::int as handled,
       count(s.id) filter (where s.handover_reason is null and c.status = 'closed')::int as resolved,
       count(s.id) filter (where s.handover_reason = 'api')::int as api,
       count(s.id) filter (where s.handover_reason = 'keyword')::int as keyword,
       count(s.id) filter (where s.handover_reason = 'timeout')::int as timeout,
       count(s.id) filter (where s.handover_reason = 'agent')::int as agent
     from bots b
     left join bot_sessions s on s.bot_id = b.id and s.started_at >= $2 and s.started_at < $3
     left join conversations c on c.id = s.conversation_id
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
  }));
}
