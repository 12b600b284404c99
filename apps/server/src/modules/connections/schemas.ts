import { ChannelType } from "@parley/protocol";
import { z } from "zod";
import type { ChannelRegistry } from "../../channels/registry";
import { iso } from "../../lib/time";

/** A connection as the API shows it: never its credentials. */
export const Connection = z.object({
  id: z.string(),
  type: ChannelType,
  name: z.string(),
  enabled: z.boolean(),
  settings: z.record(z.string(), z.unknown()),
  capabilities: z.record(z.string(), z.unknown()),
  health: z.object({
    lastWebhookAt: z.string().nullable(),
    lastStatusAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    errorCount: z.number(),
  }),
  createdAt: z.string(),
});

/** Generated secrets and webhook addresses, shown once. */
export const Reveal = z.record(z.string(), z.string());

/** The columns of `channel_connections` the API shows (see `CONNECTION_COLUMNS`). */
export interface ConnectionRow {
  id: string;
  type: z.infer<typeof ChannelType>;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  last_webhook_at: Date | null;
  last_status_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  error_count: number;
  created_at: Date;
}
export const CONNECTION_COLUMNS =
  "id, type, name, enabled, settings, last_webhook_at, last_status_at, last_error, last_error_at, error_count, created_at";

export function presentConnection(channels: ChannelRegistry, r: ConnectionRow): z.infer<typeof Connection> {
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    enabled: r.enabled,
    settings: r.settings,
    capabilities: { ...channels.get(r.type).capabilities },
    health: {
      lastWebhookAt: iso(r.last_webhook_at),
      lastStatusAt: iso(r.last_status_at),
      lastError: r.last_error,
      lastErrorAt: iso(r.last_error_at),
      errorCount: r.error_count,
    },
    createdAt: iso(r.created_at)!,
  };
}
