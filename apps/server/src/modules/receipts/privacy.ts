import type { AppContext } from "../../context";
import { transact } from "../../context";
import type { Db } from "../../db/client";
import type { Actor } from "../../domain/permissions";
import { notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { REMOVE_BLOBS_JOB } from "../../storage/remove-job";
import { type AuditSource, recordAudit } from "../audit/record";
import { emitContactErased } from "../contacts/events";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { forgetWords, heldWords } from "../search/vocabulary";
import { parseReceiptSettings } from "./policy";

export interface ConsentInput {
  workspaceId: string;
  contactId: string;
  granted: boolean;
  /** Where the consent was given: "widget", "agent", "import"… kept with it for the record. */
  source: string;
  /** The staff member who recorded it, when not the contact themselves. */
  userId?: string | null;
  /** The request's address, browser and API token, for the audit entry (none from the widget). */
  audit?: AuditSource;
}

/**
 * Records a contact's answer to "may we track when you read our messages?" (R307). The website widget
 * calls this for its visitors; agents record consent given elsewhere through
 * `PUT /api/contacts/:id/read-tracking-consent`. Each change is written to the audit log. In consent mode,
 * read times are kept only for contacts whose answer is yes; withdrawing consent also forgets the read
 * times already kept for the contact.
 */
export async function recordReadTrackingConsent(ctx: AppContext, input: ConsentInput) {
  return transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{
      read_tracking_consent: boolean | null;
      read_tracking_consent_at: Date | null;
      read_tracking_consent_source: string | null;
    }>(
      `update contacts set read_tracking_consent = $3, read_tracking_consent_at = $4,
         read_tracking_consent_source = $5, updated_at = $4
       where id = $1 and workspace_id = $2
       returning read_tracking_consent, read_tracking_consent_at, read_tracking_consent_source`,
      [input.contactId, input.workspaceId, input.granted, tx.now, input.source],
    );
    if (!row) throw notFound("Contact");
    if (!input.granted) {
      await tx.q.query(
        `update messages m set read_at = null from conversations c
         where c.contact_id = $1 and m.conversation_id = c.id and m.read_at is not null`,
        [input.contactId],
      );
    }
    await recordAudit(tx.q, {
      workspaceId: input.workspaceId,
      userId: input.userId ?? null,
      action: "contact.read_tracking_consent",
      targetType: "contact",
      targetId: input.contactId,
      data: { granted: input.granted, source: input.source },
      ...input.audit,
      at: tx.now,
    });
    return {
      granted: row.read_tracking_consent,
      at: iso(row.read_tracking_consent_at),
      source: row.read_tracking_consent_source,
    };
  });
}

/** Everything Parley holds about a contact, as one JSON document (R307: a data subject's access request). */
export async function exportContact(ctx: AppContext, actor: Actor, contactId: string, source: AuditSource) {
  const [contact] = await ctx.db.query<Record<string, unknown>>(
    `select id, name, nickname, email, phone, company, avatar_url, attributes, blocked_at, created_at,
       updated_at, read_tracking_consent, read_tracking_consent_at, read_tracking_consent_source
     from contacts where id = $1 and workspace_id = $2`,
    [contactId, actor.workspaceId],
  );
  if (!contact) throw notFound("Contact");
  const identities = await ctx.db.query(
    `select i.external_id, i.display_name, i.created_at, cc.type as channel, cc.name as connection
     from contact_identities i join channel_connections cc on cc.id = i.connection_id
     where i.contact_id = $1 order by i.created_at`,
    [contactId],
  );
  const tags = await ctx.db.query(
    "select t.name, ct.pinned from contact_tags ct join tags t on t.id = ct.tag_id where ct.contact_id = $1 order by t.name",
    [contactId],
  );
  const conversations = await ctx.db.query<{ id: string; number: number; status: string; created_at: Date }>(
    `select c.id, c.number, c.status, c.created_at, c.closed_at, c.source, cc.type as channel
     from conversations c join channel_connections cc on cc.id = c.connection_id
     where c.contact_id = $1 order by c.created_at`,
    [contactId],
  );
  const messages = await ctx.db.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages
     where conversation_id = any($1::uuid[]) and kind = 'message' order by seq`,
    [conversations.map((c) => c.id)],
  );
  const now = ctx.clock.now();
  await recordAudit(ctx.db, {
    workspaceId: actor.workspaceId,
    userId: actor.userId,
    action: "contact.exported",
    targetType: "contact",
    targetId: contactId,
    data: { conversations: conversations.length, messages: messages.length },
    ...source,
    at: now,
  });
  return {
    exportedAt: now.toISOString(),
    contact,
    identities,
    tags,
    conversations: conversations.map((c) => ({
      ...c,
      messages: messages.filter((m) => m.conversation_id === c.id).map(presentMessage),
    })),
  };
}

/**
 * Erases a contact on request (R307): the contact, their identities, conversations and messages are
 * deleted, and so are the files their messages carried (and their avatar, when Parley stored it) unless
 * a message of another conversation carries the same file. The bytes are removed by a job enqueued in
 * the same transaction. The audit log keeps only that it happened, by whom, and how much was removed.
 */
export async function eraseContact(ctx: AppContext, actor: Actor, contactId: string, source: AuditSource) {
  return transact(ctx, async (tx) => {
    const [found] = await tx.q.query<{ id: string }>(
      "select id from contacts where id = $1 and workspace_id = $2 for update",
      [contactId, actor.workspaceId],
    );
    if (!found) throw notFound("Contact");
    const conversations = await tx.q.query<{
      id: string;
      assignee_id: string | null;
      team_id: string | null;
      operator_ids: string[];
    }>(
      `select c.id, c.assignee_id, c.team_id,
         coalesce((select array_agg(o.user_id::text) from conversation_operators o where o.conversation_id = c.id), '{}') as operator_ids
       from conversations c where c.contact_id = $1 for update`,
      [contactId],
    );
    const [counted] = await tx.q.query<{ n: number }>(
      "select count(*)::int as n from messages where conversation_id = any($1::uuid[])",
      [conversations.map((c) => c.id)],
    );
    const ids = conversations.map((c) => c.id);
    const files = await tx.q.query<{ storage_key: string }>(
      `with referenced as (
         select substring(a->>'url' from '^/api/files/([0-9a-f-]{36})$')::uuid as id
         from messages m cross join lateral jsonb_array_elements(m.attachments) a
         where m.conversation_id = any($2::uuid[]) and a->>'url' ~ '^/api/files/[0-9a-f-]{36}$'
         union
         select substring(avatar_url from '^/api/files/([0-9a-f-]{36})$')::uuid
         from contacts where id = $3 and avatar_url ~ '^/api/files/[0-9a-f-]{36}$'
       )
       delete from files f using referenced r
       where f.id = r.id and f.workspace_id = $1
         and not exists (
           select 1 from messages o
           where o.workspace_id = $1 and o.conversation_id <> all($2::uuid[])
             and o.attachments @> jsonb_build_array(jsonb_build_object('url', '/api/files/' || f.id))
         )
       returning f.storage_key`,
      [actor.workspaceId, ids, contactId],
    );
    if (files.length) await tx.enqueue(REMOVE_BLOBS_JOB, { keys: files.map((f) => f.storage_key) });
    const held = await heldWords(tx.q, actor.workspaceId, ids, contactId);
    await tx.q.query("delete from conversations where contact_id = $1", [contactId]);
    await tx.q.query("delete from contacts where id = $1", [contactId]);
    await forgetWords(tx.q, actor.workspaceId, held);
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "contact.erased",
      targetType: "contact",
      targetId: contactId,
      data: { conversations: conversations.length, messages: counted?.n ?? 0 },
      ...source,
      at: tx.now,
    });
    emitContactErased(tx, actor.workspaceId, contactId, actor.userId);
    for (const c of conversations) {
      tx.emit(actor.workspaceId, {
        type: "conversation.deleted",
        conversationId: c.id,
        byUserId: actor.userId,
        audience: {
          conversation: {
            workspaceId: actor.workspaceId,
            assigneeId: c.assignee_id,
            operatorIds: c.operator_ids,
            teamId: c.team_id,
          },
        },
      });
    }
    return { conversations: conversations.length, messages: counted?.n ?? 0 };
  });
}

/**
 * Retention (R307): in every workspace with a retention period, read times older than it are forgotten —
 * the messages' read timestamps (their state stays "read") and the history of agents' read cursors.
 * Run hourly by the worker role's housekeeping.
 */
export async function purgeReadTracking(db: Db, now: Date): Promise<{ messages: number; marks: number }> {
  const workspaces = await db.query<{ id: string; receipts: unknown }>(
    "select id, settings->'receipts' as receipts from workspaces where settings->'receipts'->>'retentionDays' is not null",
  );
  let messages = 0;
  let marks = 0;
  for (const w of workspaces) {
    const days = parseReceiptSettings(w.receipts).retentionDays;
    if (!days) continue;
    const before = new Date(now.getTime() - days * 86400_000);
    messages += (
      await db.query(
        "update messages set read_at = null where workspace_id = $1 and read_at < $2 returning 1",
        [w.id, before],
      )
    ).length;
    marks += (
      await db.query("delete from read_marks where workspace_id = $1 and at < $2 returning 1", [w.id, before])
    ).length;
  }
  return { messages, marks };
}
