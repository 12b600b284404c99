import { z } from "zod";
import { type AppContext, type Tx, transact } from "../../context";
import type { Actor } from "../../domain/permissions";
import { mustHold } from "../../domain/permissions";
import { PermanentFailure } from "../../jobs/queue";
import { EgressRefused } from "../../lib/egress/addresses";
import { egressPolicy } from "../../lib/egress/agents";
import { egressFetch } from "../../lib/egress/fetch";
import { describeFailure, readText } from "../../lib/egress/responses";
import { AppError } from "../../lib/errors";
import { conversationForActor } from "../conversations/access";
import { presentRecord, RECORD_COLUMNS, type RecordRow } from "./present";
import { readPath, renderBody, type Values } from "./template";

export const CREATE_RECORD_JOB = "linked_records.create";
const MAX_ATTEMPTS = 8;
/** 30 s doubling per attempt up to an hour: a CRM that is down for a while still gets the record. */
export const recordBackoffMs = (attempt: number) =>
  Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3600_000);

/** The conversation's template: its team's when the team has one, else its connection's. */
const CONFIG_OF_C = `coalesce(
  (select t.id from linked_record_configs t where t.team_id = c.team_id and t.enabled),
  (select k.id from linked_record_configs k where k.connection_id = c.connection_id and k.enabled))`;

/**
 * In the ingest transaction: new conversations whose connection or team has a template get a pending linked
 * record and one job each to create it. One statement when no template exists.
 */
export async function queueLinkedRecords(tx: Tx, conversationIds: string[]) {
  if (!conversationIds.length) return;
  const rows = await tx.q.query<{ id: string; workspace_id: string }>(
    `insert into linked_records (workspace_id, conversation_id, contact_id, config_id, created_at, updated_at)
     select c.workspace_id, c.id, c.contact_id, ${CONFIG_OF_C}, $2, $2 from conversations c
     where c.id = any($1::uuid[]) and ${CONFIG_OF_C} is not null
     on conflict do nothing
     returning id, workspace_id`,
    [conversationIds, tx.now],
  );
  for (const r of rows)
    await tx.enqueue(
      CREATE_RECORD_JOB,
      { recordId: r.id },
      { workspaceId: r.workspace_id, now: tx.now, maxAttempts: MAX_ATTEMPTS },
    );
}

/**
 * "Create now" for a conversation that started before its template existed, or whose record failed: a pending
 * record and its job. Whoever may reply in the conversation may ask. 409 when there is no template or the
 * record exists already.
 */
export async function createRecordNow(ctx: AppContext, actor: Actor, conversationId: string) {
  return transact(ctx, async (tx) => {
    await conversationForActor(tx.q, actor, conversationId, { lock: true });
    mustHold(actor, "conversations.reply");
    const [cfg] = await tx.q.query<{ config_id: string | null }>(
      `select ${CONFIG_OF_C} as config_id from conversations c where c.id = $1`,
      [conversationId],
    );
    if (!cfg?.config_id)
      throw new AppError(
        "conflict",
        "No linked record is set up for this conversation's channel or team: set one up in Settings → Linked records.",
      );
    const [row] = await tx.q.query<RecordRow>(
      `insert into linked_records (workspace_id, conversation_id, contact_id, config_id, created_at, updated_at)
       select c.workspace_id, c.id, c.contact_id, $2, $3, $3 from conversations c where c.id = $1
       on conflict (conversation_id, config_id) do update set status = 'pending', attempts = 0, last_error = null,
         updated_at = excluded.updated_at
         where linked_records.status = 'failed'
       returning ${RECORD_COLUMNS}`,
      [conversationId, cfg.config_id, tx.now],
    );
    if (!row)
      throw new AppError(
        "conflict",
        "This conversation has its linked record already (or it is being created).",
      );
    await tx.enqueue(
      CREATE_RECORD_JOB,
      { recordId: row.id },
      { workspaceId: actor.workspaceId, now: tx.now, maxAttempts: MAX_ATTEMPTS },
    );
    return presentRecord(row);
  });
}

interface Loaded {
  status: string;
  method: string | null;
  url: string | null;
  headers_enc: string | null;
  body_template: string | null;
  id_path: string | null;
  url_path: string | null;
  contact_id: string;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  channel_type: string;
  channel_name: string;
  conversation_id: string;
  conversation_number: string;
  source: Record<string, unknown>;
  first_text: string | null;
}

async function load(ctx: AppContext, recordId: string) {
  const [r] = await ctx.db.query<Loaded>(
    `select r.status, f.method, f.url, f.headers_enc, f.body_template, f.id_path, f.url_path,
       ct.id as contact_id, ct.name as contact_name, ct.phone as contact_phone, ct.email as contact_email,
       k.type as channel_type, k.name as channel_name, c.id as conversation_id, c.number::text as conversation_number,
       c.source,
       (select m.text from messages m where m.conversation_id = c.id and m.direction = 'inbound' and m.kind = 'message'
        order by m.seq limit 1) as first_text
     from linked_records r join conversations c on c.id = r.conversation_id
     join contacts ct on ct.id = c.contact_id join channel_connections k on k.id = c.connection_id
     left join linked_record_configs f on f.id = r.config_id
     where r.id = $1`,
    [recordId],
  );
  return r;
}

const valuesOf = (r: Loaded): Values => {
  const v: Values = {
    "contact.id": r.contact_id,
    "contact.name": r.contact_name ?? "",
    "contact.phone": r.contact_phone ?? "",
    "contact.email": r.contact_email ?? "",
    "channel.type": r.channel_type,
    "channel.name": r.channel_name,
    "conversation.id": r.conversation_id,
    "conversation.number": r.conversation_number,
    "message.text": r.first_text ?? "",
  };
  for (const [k, val] of Object.entries(r.source ?? {}))
    if (typeof val === "string" || typeof val === "number") v[`source.${k}`] = String(val);
  return v;
};

async function settle(
  ctx: AppContext,
  id: string,
  set: { status: string; error: string | null; externalId?: string | null; externalUrl?: string | null },
) {
  await ctx.db.query(
    `update linked_records set status = $2, last_error = $3, attempts = attempts + 1,
       external_id = coalesce($4, external_id), external_url = coalesce($5, external_url), updated_at = $6
     where id = $1`,
    [id, set.status, set.error, set.externalId ?? null, set.externalUrl ?? null, ctx.clock.now()],
  );
}

/**
 * One attempt: the template filled in (values JSON-escaped), sent through the egress guard with the saved
 * headers; a 2xx answer whose JSON holds the id (and URL) at the configured paths creates the record. Any other
 * outcome keeps the reason on the record and retries with backoff; an address the guard refuses, or a removed
 * template, fails at once. After the last attempt the record is `failed`.
 */
export async function attemptRecord(ctx: AppContext, recordId: string): Promise<void> {
  const r = await load(ctx, recordId);
  if (!r || r.status === "created") return;
  if (!r.url || !r.body_template || !r.id_path || !r.method) {
    await settle(ctx, recordId, { status: "failed", error: "the linked record's configuration was removed" });
    return;
  }
  const headers = r.headers_enc ? ctx.secrets.open<Record<string, string>>(r.headers_enc) : {};
  let error: string;
  try {
    const res = await egressFetch(egressPolicy(ctx.config), r.url, {
      method: r.method,
      headers: { "user-agent": "Parley-LinkedRecords/1", ...headers, "content-type": "application/json" },
      body: renderBody(r.body_template, valuesOf(r)),
      signal: AbortSignal.timeout(ctx.config.WEBHOOK_TIMEOUT_MS),
      maxRedirects: 3,
    });
    const text = await readText(res);
    if (res.status >= 200 && res.status < 300) {
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {}
      const externalId = json === null ? null : readPath(json, r.id_path);
      if (externalId) {
        const url = r.url_path ? readPath(json, r.url_path) : null;
        await settle(ctx, recordId, {
          status: "created",
          error: null,
          externalId,
          externalUrl: url && /^https?:\/\//i.test(url) ? url : null,
        });
        return;
      }
      error =
        json === null
          ? `the CRM answered ${res.status} without JSON`
          : `the CRM's answer has no id at "${r.id_path}"`;
    } else error = `the CRM answered ${res.status}`;
  } catch (err) {
    error = describeFailure(err);
    if (err instanceof EgressRefused) {
      await settle(ctx, recordId, { status: "failed", error });
      throw new PermanentFailure(error);
    }
  }
  await settle(ctx, recordId, { status: "pending", error });
  throw new Error(error);
}

export function registerLinkedRecordJob(ctx: AppContext) {
  ctx.jobs.register({
    type: CREATE_RECORD_JOB,
    payload: z.object({ recordId: z.uuid() }),
    maxAttempts: MAX_ATTEMPTS,
    backoffMs: recordBackoffMs,
    run: ({ recordId }) => attemptRecord(ctx, recordId),
    onDead: async ({ recordId }) => {
      await ctx.db.query(
        "update linked_records set status = 'failed', updated_at = $2 where id = $1 and status = 'pending'",
        [recordId, ctx.clock.now()],
      );
    },
  });
}
