import { z } from "zod";
import type { Db } from "../../db/client";
import { AppError } from "../../lib/errors";

export const AnalyticsQuery = z.object({
  /** Start of the period (inclusive); default: 30 days before its end. */
  from: z.iso.datetime({ offset: true }).optional(),
  /** End of the period (exclusive); default: now. */
  to: z.iso.datetime({ offset: true }).optional(),
  /** Time zone of the busiest-hours table (IANA name). */
  tz: z.string().max(64).default("UTC"),
});
export type AnalyticsQuery = z.infer<typeof AnalyticsQuery>;

const Stats = z.object({
  count: z.number(),
  answered: z.number(),
  avgSeconds: z.number().nullable(),
  p50Seconds: z.number().nullable(),
  p90Seconds: z.number().nullable(),
});
export const Analytics = z.object({
  period: z.object({ from: z.string(), to: z.string(), tz: z.string() }),
  opened: z.number(),
  closed: z.number(),
  firstResponse: Stats,
  responseTime: Stats,
  resolution: Stats.omit({ answered: true }),
  agents: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      role: z.string(),
      conversations: z.number(),
      closed: z.number(),
      replies: z.number(),
      avgResponseSeconds: z.number().nullable(),
    }),
  ),
  channels: z.array(
    z.object({
      id: z.uuid(),
      type: z.string(),
      name: z.string(),
      opened: z.number(),
      closed: z.number(),
      inbound: z.number(),
      outbound: z.number(),
    }),
  ),
  hours: z.array(z.object({ hour: z.number(), inbound: z.number() })),
});
export type Analytics = z.infer<typeof Analytics>;

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An agent's reply: what ends a customer's wait. */
const AGENT_REPLY = "r.direction = 'outbound' and r.author_type = 'user' and r.kind = 'message'";

/** The next agent reply at or after `m`'s time, in `m`'s conversation. */
const nextReply = (m: string) => `left join lateral (
    select r.created_at, r.author_id from messages r
    where r.conversation_id = ${m}.conversation_id and ${AGENT_REPLY} and r.created_at >= ${m}.created_at
    order by r.created_at, r.seq limit 1) nr on true`;

const statsColumns = (d: string) => `count(*) as count, count(${d}) as answered,
  avg(${d})::float8 as avg, percentile_cont(0.5) within group (order by ${d}) as p50,
  percentile_cont(0.9) within group (order by ${d}) as p90`;

interface StatsRow {
  count: number;
  answered: number;
  avg: number | null;
  p50: number | null;
  p90: number | null;
}
const stats = (r: StatsRow | undefined) => ({
  count: r?.count ?? 0,
  answered: r?.answered ?? 0,
  avgSeconds: r?.avg ?? null,
  p50Seconds: r?.p50 ?? null,
  p90Seconds: r?.p90 ?? null,
});

/**
 * Team analytics over [from, to), computed in SQL. First response: from a conversation's first customer
 * message in the period to the first agent reply after it. Response time: every customer message in the
 * period to the next agent reply. Resolution: created → closed, for conversations closed in the period.
 */
export async function teamAnalytics(
  db: Db,
  workspaceId: string,
  q: AnalyticsQuery,
  now: Date,
): Promise<Analytics> {
  if (!validTimeZone(q.tz)) throw new AppError("validation_failed", `Unknown time zone: ${q.tz}`);
  const to = q.to ?? now.toISOString();
  const f = { tz: q.tz, to, from: q.from ?? new Date(Date.parse(to) - 30 * 86_400_000).toISOString() };
  if (Date.parse(f.to) <= Date.parse(f.from))
    throw new AppError("validation_failed", "The period's end must be after its start.");
  const params = [workspaceId, f.from, f.to];
  const inPeriod = (col: string) => `${col} >= $2::timestamptz and ${col} < $3::timestamptz`;
  const inboundInPeriod = `m.workspace_id = $1 and m.direction = 'inbound' and m.kind = 'message' and ${inPeriod("m.created_at")}`;

  const [counts] = await db.query<{ opened: number; closed: number }>(
    `select (select count(*) from conversations c where c.workspace_id = $1 and ${inPeriod("c.created_at")}) as opened,
       (select count(*) from conversations c where c.workspace_id = $1 and c.status = 'closed'
          and ${inPeriod("c.closed_at")}) as closed`,
    params,
  );
  const [first] = await db.query<StatsRow>(
    `with firsts as (
       select distinct on (m.conversation_id) m.conversation_id, m.created_at from messages m
       where ${inboundInPeriod} order by m.conversation_id, m.created_at, m.seq)
     select ${statsColumns("d")} from (
       select extract(epoch from nr.created_at - m.created_at)::float8 as d from firsts m ${nextReply("m")}) x`,
    params,
  );
  const [response] = await db.query<StatsRow>(
    `select ${statsColumns("d")} from (
       select extract(epoch from nr.created_at - m.created_at)::float8 as d from messages m ${nextReply("m")}
       where ${inboundInPeriod}) x`,
    params,
  );
  const [resolution] = await db.query<StatsRow>(
    `select ${statsColumns("d")} from (
       select extract(epoch from c.closed_at - c.created_at)::float8 as d from conversations c
       where c.workspace_id = $1 and c.status = 'closed' and ${inPeriod("c.closed_at")}) x`,
    params,
  );
  const agents = await db.query<Analytics["agents"][number]>(
    `select u.id, u.name, u.role,
       (select count(distinct r.conversation_id) from messages r
          where r.workspace_id = $1 and r.author_id = u.id and ${AGENT_REPLY} and ${inPeriod("r.created_at")})
         as conversations,
       (select count(*) from conversations c where c.workspace_id = $1 and c.assignee_id = u.id
          and c.status = 'closed' and ${inPeriod("c.closed_at")}) as closed,
       (select count(*) from messages r where r.workspace_id = $1 and r.author_id = u.id and ${AGENT_REPLY}
          and ${inPeriod("r.created_at")}) as replies,
       rt.avg as "avgResponseSeconds"
     from users u
     left join (select nr.author_id, avg(extract(epoch from nr.created_at - m.created_at))::float8 as avg
       from messages m ${nextReply("m")} where ${inboundInPeriod} and nr.author_id is not null
       group by nr.author_id) rt on rt.author_id = u.id
     where u.workspace_id = $1 and u.status <> 'disabled'
     order by u.name, u.id`,
    params,
  );
  const channels = await db.query<Analytics["channels"][number]>(
    `select cc.id, cc.type, cc.name,
       (select count(*) from conversations c where c.connection_id = cc.id and ${inPeriod("c.created_at")}) as opened,
       (select count(*) from conversations c where c.connection_id = cc.id and c.status = 'closed'
          and ${inPeriod("c.closed_at")}) as closed,
       (select count(*) from messages m where m.connection_id = cc.id and m.direction = 'inbound'
          and m.kind = 'message' and ${inPeriod("m.created_at")}) as inbound,
       (select count(*) from messages m where m.connection_id = cc.id and m.direction = 'outbound'
          and m.kind = 'message' and ${inPeriod("m.created_at")}) as outbound
     from channel_connections cc where cc.workspace_id = $1 order by cc.name, cc.id`,
    params,
  );
  const hourRows = await db.query<{ hour: number; inbound: number }>(
    `select extract(hour from m.created_at at time zone $4)::int as hour, count(*) as inbound
     from messages m where ${inboundInPeriod} group by 1`,
    [...params, f.tz],
  );
  const byHour = new Map(hourRows.map((h) => [h.hour, h.inbound]));
  const { answered: _, ...resolutionStats } = stats(resolution);
  return {
    period: { from: new Date(f.from).toISOString(), to: new Date(f.to).toISOString(), tz: f.tz },
    opened: counts?.opened ?? 0,
    closed: counts?.closed ?? 0,
    firstResponse: stats(first),
    responseTime: stats(response),
    resolution: resolutionStats,
    agents,
    channels,
    hours: Array.from({ length: 24 }, (_, hour) => ({ hour, inbound: byHour.get(hour) ?? 0 })),
  };
}
