import type { ChannelType, RuleSnapshot } from "@parley/protocol";
import type { Queryable } from "../../db/client";
import { HoursCache, isOpen } from "../hours/api";

/** A conversation as the rules see it, with what their actions need to know. */
export interface Target {
  id: string;
  number: number;
  workspaceId: string;
  contactId: string;
  contactName: string | null;
  assigneeId: string | null;
  teamId: string | null;
  snapshot: RuleSnapshot;
}

interface Row {
  id: string;
  number: number;
  workspace_id: string;
  team_id: string | null;
  contact_id: string;
  contact_name: string | null;
  assignee_id: string | null;
  channel: ChannelType;
  connection_id: string;
  source: Record<string, string> | null;
  tag_ids: string[];
  first_contact: boolean;
  last_text: string | null;
}

const SELECT = `
  select c.id, c.number, c.workspace_id, c.team_id, c.contact_id, ct.name as contact_name, c.assignee_id,
    cc.type as channel, c.connection_id, c.source,
    coalesce((select array_agg(t.tag_id::text) from contact_tags t where t.contact_id = c.contact_id), '{}') as tag_ids,
    not exists (select 1 from conversations p where p.contact_id = c.contact_id and p.workspace_id = c.workspace_id
      and (p.created_at, p.id) < (c.created_at, c.id)) as first_contact,
    (select m.text from messages m where m.conversation_id = c.id and m.direction = 'inbound' and m.kind = 'message'
      order by m.seq desc limit 1) as last_text
  from conversations c
  join channel_connections cc on cc.id = c.connection_id
  join contacts ct on ct.id = c.contact_id`;

/**
 * The conversation's language as its channel told it when the conversation began: the browser's language for
 * the web chat, the user's app language for Telegram (`language_code`), the account's language for Viber —
 * kept in the conversation's source as `language`. Contacts have no language of their own.
 */
const languageOf = (source: Record<string, string> | null) => source?.language || null;

async function toTargets(hours: HoursCache, rows: Row[], at: Date, text?: string | null): Promise<Target[]> {
  const out: Target[] = [];
  for (const r of rows) {
    out.push({
      id: r.id,
      number: r.number,
      workspaceId: r.workspace_id,
      contactId: r.contact_id,
      contactName: r.contact_name,
      assigneeId: r.assignee_id,
      teamId: r.team_id,
      snapshot: {
        channel: r.channel,
        connectionId: r.connection_id,
        text: text === undefined ? r.last_text : text,
        contactTagIds: r.tag_ids,
        withinHours: await isOpen(hours, r.workspace_id, r.team_id, at),
        source: r.source ?? {},
        firstContact: r.first_contact,
        language: languageOf(r.source),
      },
    });
  }
  return out;
}

/**
 * One conversation of the workspace as the rules see it at `at`; `text` is the triggering message's (left
 * out: the customer's last message). Null when the conversation is gone.
 */
export async function loadTarget(
  q: Queryable,
  hours: HoursCache,
  workspaceId: string,
  conversationId: string,
  at: Date,
  text?: string | null,
): Promise<Target | null> {
  const rows = await q.query<Row>(`${SELECT} where c.workspace_id = $1 and c.id = $2`, [
    workspaceId,
    conversationId,
  ]);
  return (await toTargets(hours, rows, at, text))[0] ?? null;
}

/** The workspace's most recently active conversations as the rules see them now (the dry run). */
export async function recentTargets(q: Queryable, workspaceId: string, at: Date, limit: number) {
  const rows = await q.query<Row>(
    `${SELECT} where c.workspace_id = $1 order by c.last_activity_at desc, c.id desc limit $2`,
    [workspaceId, limit],
  );
  return toTargets(new HoursCache(q), rows, at);
}
