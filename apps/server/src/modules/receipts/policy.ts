import { z } from "zod";
import type { Queryable } from "../../db/client";

/**
 * The workspace's receipt and privacy settings (R305, R307), kept in `workspaces.settings.receipts`.
 * - readReceipts: read times of outgoing messages are tracked and shown (overridable per connection and
 *   per conversation; when off, a provider's read report counts only as "delivered" and no "seen" is sent);
 * - consentMode: read tracking is kept only for contacts whose consent is recorded;
 * - retentionDays: read-tracking timestamps older than this are purged (null: kept);
 * - anonymiseReports: receipt reports always replace agent names with pseudonyms.
 */
export const ReceiptSettings = z.object({
  readReceipts: z.boolean().default(true),
  consentMode: z.boolean().default(false),
  retentionDays: z.number().int().min(1).max(3650).nullable().default(null),
  anonymiseReports: z.boolean().default(false),
});
export type ReceiptSettings = z.infer<typeof ReceiptSettings>;

export function parseReceiptSettings(raw: unknown): ReceiptSettings {
  const parsed = ReceiptSettings.safeParse(raw ?? {});
  return parsed.success ? parsed.data : ReceiptSettings.parse({});
}

export async function loadReceiptSettings(q: Queryable, workspaceId: string): Promise<ReceiptSettings> {
  const [row] = await q.query<{ receipts: unknown }>(
    "select settings->'receipts' as receipts from workspaces where id = $1",
    [workspaceId],
  );
  return parseReceiptSettings(row?.receipts);
}

/** Why read tracking is off for a conversation, or null when it is on. */
export type ReadTrackingOff = "conversation" | "connection" | "workspace" | "no_consent";

/**
 * SQL that decides whether read tracking applies, given aliases `c` (conversations), `cc`
 * (channel_connections), `w` (workspaces) and `ct` (contacts). The most specific override wins; consent
 * mode then requires the contact's recorded consent.
 */
export const READ_TRACKING_OFF_SQL = `case
  when c.read_receipts is false then 'conversation'
  when c.read_receipts is null and cc.read_receipts is false then 'connection'
  when c.read_receipts is null and cc.read_receipts is null
    and coalesce((w.settings->'receipts'->>'readReceipts')::boolean, true) is false then 'workspace'
  when coalesce((w.settings->'receipts'->>'consentMode')::boolean, false)
    and ct.read_tracking_consent is not true then 'no_consent'
  else null end`;

export const READ_TRACKING_JOINS = `join channel_connections cc on cc.id = c.connection_id
  join workspaces w on w.id = c.workspace_id
  join contacts ct on ct.id = c.contact_id`;

/** Whether read times are tracked for this conversation (null) or why not. */
export async function readTrackingOff(q: Queryable, conversationId: string): Promise<ReadTrackingOff | null> {
  const [row] = await q.query<{ off: ReadTrackingOff | null }>(
    `select ${READ_TRACKING_OFF_SQL} as off from conversations c ${READ_TRACKING_JOINS} where c.id = $1`,
    [conversationId],
  );
  return row?.off ?? null;
}
