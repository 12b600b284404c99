import crypto from "node:crypto";
import { z } from "zod";
import type { ChannelRegistry } from "../../channels/registry";
import type { Db } from "../../db/client";
import { AppError } from "../../lib/errors";
import { validTimeZone } from "../analytics/query";
import { loadReceiptSettings } from "./policy";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");

export const ReceiptReportQuery = z.object({
  /** Start of the period (inclusive); default: 30 days before its end. */
  from: z.iso.datetime({ offset: true }).optional(),
  /** End of the period (exclusive); default: now. */
  to: z.iso.datetime({ offset: true }).optional(),
  /** Time zone of the days (IANA name). */
  tz: z.string().max(64).default("UTC"),
  /** One row per channel connection, per agent or per day. */
  groupBy: z.enum(["channel", "agent", "day"]).default("channel"),
  /** Replace agent names with pseudonyms (always on when the workspace asks for it). */
  anonymise: bool.default(false),
});
export type ReceiptReportQuery = z.infer<typeof ReceiptReportQuery>;

export const ReceiptReportRow = z.object({
  key: z.string(),
  label: z.string(),
  /** For channel rows: the connection's channel type. */
  channel: z.string().nullable(),
  replies: z.number(),
  sent: z.number(),
  delivered: z.number(),
  read: z.number(),
  failed: z.number(),
  /** read / delivered, over replies on channels that report reads (null when there are none). */
  readRate: z.number().nullable(),
  avgDeliverSeconds: z.number().nullable(),
  p50DeliverSeconds: z.number().nullable(),
  avgReadSeconds: z.number().nullable(),
  p50ReadSeconds: z.number().nullable(),
  /** Read replies after which the customer wrote again. */
  repliedAfterRead: z.number(),
  /** Read replies the customer has not answered (yet). */
  unansweredAfterRead: z.number(),
});
export type ReceiptReportRow = z.infer<typeof ReceiptReportRow>;

export const ReceiptReport = z.object({
  period: z.object({ from: z.string(), to: z.string(), tz: z.string() }),
  groupBy: z.enum(["channel", "agent", "day"]),
  anonymised: z.boolean(),
  total: ReceiptReportRow,
  rows: z.array(ReceiptReportRow),
});
export type ReceiptReport = z.infer<typeof ReceiptReport>;

/** A stable pseudonym for an agent in anonymised reports. */
export const agentPseudonym = (id: string) =>
  `Agent ${crypto.createHash("sha256").update(id).digest("hex").slice(0, 6)}`;

/**
 * Receipt reports (R309) over agents' replies written in [from, to): how many were sent, delivered, read
 * and failed; the read rate; the time from writing to delivered and to read (avg, median); and whether
 * the customer wrote again after a read reply. Computed in SQL on the `messages_outbound_created_idx`.
 */
export async function receiptReport(
  db: Db,
  channels: ChannelRegistry,
  workspaceId: string,
  q: ReceiptReportQuery,
  now: Date,
): Promise<ReceiptReport> {
  if (!validTimeZone(q.tz)) throw new AppError("validation_failed", `Unknown time zone: ${q.tz}`);
  const to = q.to ?? now.toISOString();
  const from = q.from ?? new Date(Date.parse(to) - 30 * 86_400_000).toISOString();
  if (Date.parse(to) <= Date.parse(from))
    throw new AppError("validation_failed", "The period's end must be after its start.");
  const anonymise = q.anonymise || (await loadReceiptSettings(db, workspaceId)).anonymiseReports;
  const types = await db.query<{ type: string }>(
    "select distinct type from channel_connections where workspace_id = $1",
    [workspaceId],
  );
  const readable = types.map((t) => t.type).filter((t) => channels.get(t).capabilities.reportsRead);
  const run = async (key: string, label: string, channel: string, join: string) =>
    db.query<Record<string, string | number | null>>(
      `with r as (
         select m.*, cc.type as channel_type, cc.name as connection_name,
           exists (select 1 from messages x where x.conversation_id = m.conversation_id
                   and x.direction = 'inbound' and x.kind = 'message' and x.seq > m.seq) as answered
         from messages m join channel_connections cc on cc.id = m.connection_id
         where m.workspace_id = $1 and m.direction = 'outbound' and m.kind = 'message' and m.author_type = 'user'
           and m.created_at >= $2::timestamptz and m.created_at < $3::timestamptz and $4::text is not null
       )
       select ${key} as key, ${label} as label, ${channel} as channel, count(*)::int as replies,
         count(*) filter (where r.delivery_state in ('sent', 'delivered', 'read') or r.sent_at is not null)::int as sent,
         count(*) filter (where r.delivery_state in ('delivered', 'read'))::int as delivered,
         count(*) filter (where r.delivery_state = 'read')::int as read,
         count(*) filter (where r.delivery_state = 'failed')::int as failed,
         count(*) filter (where r.delivery_state in ('delivered', 'read') and r.channel_type = any($5::text[]))::int as delivered_readable,
         count(*) filter (where r.delivery_state = 'read' and r.channel_type = any($5::text[]))::int as read_readable,
         avg(extract(epoch from r.delivered_at - r.created_at))::float8 as avg_deliver,
         percentile_cont(0.5) within group (order by extract(epoch from r.delivered_at - r.created_at))::float8 as p50_deliver,
         avg(extract(epoch from r.read_at - r.created_at))::float8 as avg_read,
         percentile_cont(0.5) within group (order by extract(epoch from r.read_at - r.created_at))::float8 as p50_read,
         count(*) filter (where r.delivery_state = 'read' and r.answered)::int as replied_after_read,
         count(*) filter (where r.delivery_state = 'read' and not r.answered)::int as unanswered_after_read
       from r ${join}
       group by 1, 2, 3 order by 2`,
      [workspaceId, from, to, q.tz, readable],
    );
  const grouping = {
    channel: ["r.connection_id::text", "r.connection_name", "r.channel_type", ""],
    agent: [
      "r.author_id::text",
      "coalesce(u.name, '')",
      "null::text",
      "left join users u on u.id = r.author_id",
    ],
    day: [
      "to_char(date_trunc('day', r.created_at at time zone $4), 'YYYY-MM-DD')",
      "to_char(date_trunc('day', r.created_at at time zone $4), 'YYYY-MM-DD')",
      "null::text",
      "",
    ],
  }[q.groupBy] as [string, string, string, string];
  const rows = (await run(...grouping)).map(present);
  const [total] = (await run("'total'", "'total'", "null::text", "")).map(present);
  if (anonymise && q.groupBy === "agent")
    for (const r of rows) {
      r.label = agentPseudonym(r.key);
      r.key = r.label;
    }
  return {
    period: { from, to, tz: q.tz },
    groupBy: q.groupBy,
    anonymised: anonymise,
    total: total ?? { ...present({}), key: "total", label: "total" },
    rows,
  };
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

function present(r: Record<string, string | number | null>): ReceiptReportRow {
  const deliveredReadable = Number(r.delivered_readable ?? 0);
  return {
    key: String(r.key ?? ""),
    label: String(r.label ?? ""),
    channel: r.channel === null || r.channel === undefined ? null : String(r.channel),
    replies: Number(r.replies ?? 0),
    sent: Number(r.sent ?? 0),
    delivered: Number(r.delivered ?? 0),
    read: Number(r.read ?? 0),
    failed: Number(r.failed ?? 0),
    readRate: deliveredReadable
      ? Math.round((Number(r.read_readable) / deliveredReadable) * 1000) / 1000
      : null,
    avgDeliverSeconds: round(num(r.avg_deliver)),
    p50DeliverSeconds: round(num(r.p50_deliver)),
    avgReadSeconds: round(num(r.avg_read)),
    p50ReadSeconds: round(num(r.p50_read)),
    repliedAfterRead: Number(r.replied_after_read ?? 0),
    unansweredAfterRead: Number(r.unanswered_after_read ?? 0),
  };
}

export const REPORT_CSV_HEADER = [
  "key",
  "label",
  "channel",
  "replies",
  "sent",
  "delivered",
  "read",
  "failed",
  "read_rate",
  "avg_deliver_seconds",
  "p50_deliver_seconds",
  "avg_read_seconds",
  "p50_read_seconds",
  "replied_after_read",
  "unanswered_after_read",
];

export const reportCsvRow = (r: ReceiptReportRow) => [
  r.key,
  r.label,
  r.channel,
  r.replies,
  r.sent,
  r.delivered,
  r.read,
  r.failed,
  r.readRate,
  r.avgDeliverSeconds,
  r.p50DeliverSeconds,
  r.avgReadSeconds,
  r.p50ReadSeconds,
  r.repliedAfterRead,
  r.unansweredAfterRead,
];
