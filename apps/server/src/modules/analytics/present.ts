import type { Analytics } from "./query";

export const METRICS = ["summary", "agents", "channels", "hours"] as const;
export type Metric = (typeof METRICS)[number];

/** One analytics table as CSV rows (header first). */
export function analyticsTable(a: Analytics, metric: Metric): unknown[][] {
  switch (metric) {
    case "summary": {
      const rows: unknown[][] = [
        ["metric", "value"],
        ["period_from", a.period.from],
        ["period_to", a.period.to],
        ["opened", a.opened],
        ["closed", a.closed],
      ];
      for (const [name, s] of [
        ["first_response", a.firstResponse],
        ["response_time", a.responseTime],
        ["resolution", { ...a.resolution, answered: undefined }],
      ] as const) {
        rows.push([`${name}_count`, s.count]);
        if (s.answered !== undefined) rows.push([`${name}_answered`, s.answered]);
        rows.push(
          [`${name}_avg_seconds`, s.avgSeconds],
          [`${name}_p50_seconds`, s.p50Seconds],
          [`${name}_p90_seconds`, s.p90Seconds],
        );
      }
      return rows;
    }
    case "agents":
      return [
        ["agent_id", "agent", "role", "conversations", "closed", "replies", "avg_response_seconds"],
        ...a.agents.map((r) => [
          r.id,
          r.name,
          r.role,
          r.conversations,
          r.closed,
          r.replies,
          r.avgResponseSeconds,
        ]),
      ];
    case "channels":
      return [
        [
          "connection_id",
          "channel",
          "connection",
          "opened",
          "closed",
          "inbound_messages",
          "outbound_messages",
        ],
        ...a.channels.map((r) => [r.id, r.type, r.name, r.opened, r.closed, r.inbound, r.outbound]),
      ];
    case "hours":
      return [[`hour (${a.period.tz})`, "inbound_messages"], ...a.hours.map((h) => [h.hour, h.inbound])];
  }
}
