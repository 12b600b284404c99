import type { WidgetMessage, WidgetSettings } from "@parley/protocol";
import type { AppContext } from "../../context";
import type { Queryable } from "../../db/client";
import { sha256Hex } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { MESSAGE_COLUMNS, type MessageRow } from "../messages/present";
import { readTrackingOff } from "../receipts/policy";
import { presentForVisitor } from "./present";

/** A visitor as the visitor API knows it, from its token. */
export interface Visitor {
  id: string;
  workspaceId: string;
  connectionId: string;
  externalId: string;
  verified: boolean;
  settings: WidgetSettings;
  source: Record<string, string>;
  contact: { name?: string; email?: string; phone?: string };
}

interface VisitorRow {
  id: string;
  workspace_id: string;
  connection_id: string;
  external_id: string;
  verified: boolean;
  source: Record<string, string>;
  contact: Visitor["contact"];
  settings: WidgetSettings;
  enabled: boolean;
}

export const tokenHash = (token: string) => sha256Hex(`widget:${token}`);

/** The visitor holding this token; 401 for an unknown token, 403 for a disabled connection. */
export async function visitorByToken(db: Queryable, token: string | undefined | null): Promise<Visitor> {
  if (!token || token.length > 200) {
    throw new AppError("unauthenticated", "The widget session is missing: start a new one.");
  }
  const [row] = await db.query<VisitorRow>(
    `select v.id, v.workspace_id, v.connection_id, v.external_id, v.verified, v.source, v.contact,
       cc.settings, cc.enabled
     from widget_visitors v join channel_connections cc on cc.id = v.connection_id
     where v.token_hash = $1 and cc.type = 'widget'`,
    [tokenHash(token)],
  );
  if (!row) throw new AppError("unauthenticated", "The widget session has expired: start a new one.");
  if (!row.enabled) throw new AppError("forbidden", "This chat is switched off.");
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    connectionId: row.connection_id,
    externalId: row.external_id,
    verified: row.verified,
    settings: row.settings,
    source: row.source,
    contact: row.contact,
  };
}

/** Refreshes the visitor's presence (the socket's heartbeat): "left" is judged from it. */
export async function touchVisitor(ctx: AppContext, visitorId: string) {
  await ctx.db.query("update widget_visitors set last_seen_at = $2 where id = $1", [
    visitorId,
    ctx.clock.now(),
  ]);
}

/** The visitor's conversation (one per contact identity on the connection), if it has written yet. */
export async function visitorConversation(db: Queryable, v: Visitor): Promise<string | null> {
  const [row] = await db.query<{ id: string }>(
    `select c.id from conversations c join contact_identities i on i.id = c.identity_id
     where i.connection_id = $1 and i.external_id = $2`,
    [v.connectionId, v.externalId],
  );
  return row?.id ?? null;
}

/** What a visitor may see of a message: customer messages and agent replies only, never notes or events. */
export function visibleToVisitor(m: { direction: string; kind: string }): boolean {
  return m.kind === "message" && (m.direction === "inbound" || m.direction === "outbound");
}

/** The visitor's own id for a message: its provider id is `<external id>/<client id>`. */
export const providerIdFor = (v: Visitor, clientId: string) => `${v.externalId}/${clientId}`;

/** The visitor's messages after a feed position, oldest first. */
export async function visitorMessages(
  ctx: AppContext,
  conversationId: string,
  after: number,
  limit = 200,
): Promise<WidgetMessage[]> {
  const rows = await ctx.db.query<MessageRow & { author_name: string | null }>(
    `select ${MESSAGE_COLUMNS.split(",")
      .map((c) => `m.${c.trim()}`)
      .join(", ")}, u.name as author_name
     from messages m left join users u on u.id = m.author_id and m.author_type = 'user'
     where m.conversation_id = $1 and m.seq > $2 and m.kind = 'message' and m.direction in ('inbound', 'outbound')
     order by m.seq limit $3`,
    [conversationId, after, limit],
  );
  return rows.map((r) =>
    presentForVisitor(ctx, {
      id: r.id,
      seq: r.seq,
      direction: r.direction,
      text: r.text,
      attachments: r.attachments,
      providerMessageId: r.provider_message_id,
      authorName: r.author_name,
      createdAt: r.created_at,
    }),
  );
}

/** How far agents have read the visitor's messages, when the connection and the workspace show it. */
export async function agentsReadUpTo(db: Queryable, v: Visitor, conversationId: string): Promise<number> {
  if (!v.settings.readReceipts || (await readTrackingOff(db, conversationId))) return 0;
  const [row] = await db.query<{ seq: string | null }>(
    "select max(last_read_seq) as seq from read_cursors where conversation_id = $1",
    [conversationId],
  );
  return Number(row?.seq ?? 0);
}
