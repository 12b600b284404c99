import type { DomainEvent } from "@parley/protocol";
import { prepared, type Queryable, type TxQueryable } from "../db/client";
import type { EventAudience } from "../domain/permissions";
import { inTurns } from "../lib/turns";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before it has its sequence number. */
export type EventDraft = DistributiveOmit<DomainEvent, "seq" | "workspaceId" | "at"> & {
  audience?: EventAudience;
  /** Set when the writer knows the event notifies nobody (no fan-out job for it); not stored. */
  quiet?: boolean;
};

export interface StoredEvent {
  event: DomainEvent;
  audience: EventAudience;
  /**
   * `event` as JSON text, when this process appended it: the text written to the log with its number added,
   * so the sockets' frames reuse it instead of serialising the event again. Absent for events read back.
   */
  json?: string;
}

/** An appended event's JSON: the text written to the log (without its number), with its number added. */
const withSeq = (payload: string, seq: number) => `${payload.slice(0, -1)},"seq":${seq}}`;

/** What else appendEvents writes in its statement, once the events' numbers are known. */
export interface AppendAlso {
  /**
   * A job whose payload is `{ workspaceId, from, to }`: the numbers the drafts at indexes `first` and
   * `last` receive (inclusive), as enqueueJob would write it (due at `at`, 8 attempts, no idempotency key).
   */
  rangeJob?: { type: string; first: number; last: number } | null;
  /**
   * A job over all the drafts' numbers (`{ workspaceId, from, to }`), written only when the workspace has an
   * enabled automation rule (one indexed lookup in the same statement).
   */
  rulesJob?: string | null;
  /** NOTIFY on `channel` with the payload `${prefix}${first seq}:${last seq}` (delivered after commit). */
  notice?: { channel: string; prefix: string } | null;
  /**
   * NOTIFY on `channel` with `payload` too (the job workers' wake-up), delivered after commit: when the
   * statement wrote a job, or always with `always` (the transaction enqueued jobs of its own).
   */
  wake?: { channel: string; payload: string; always?: boolean } | null;
}

/** How many events appendEvents serialises in one turn of the event loop. */
const SERIALISED_PER_TURN = 100;

const APPEND = prepared(
  "events.append",
  `with s as (update workspaces set event_seq = event_seq + $2 where id = $1 returning event_seq - $2 as base),
     e as (
       insert into events (workspace_id, seq, type, conversation_id, audience, payload, created_at)
       select $1, s.base + p.ord, p.type, p.conversation_id, p.audience, p.payload, $7
       from s, rows from (unnest($3::text[]), unnest($4::uuid[]), json_array_elements($5::json),
         json_array_elements($6::json)) with ordinality as p(type, conversation_id, audience, payload, ord)
       returning seq),
     j as (
       insert into jobs (type, payload, run_at, workspace_id, max_attempts)
       select $8::text, jsonb_build_object('workspaceId', $1::text, 'from', s.base + $9::int, 'to', s.base + $10::int),
         least($7::timestamptz, now()), $1, 8
       from s where $8::text is not null
       returning 1),
     r as (
       insert into jobs (type, payload, run_at, workspace_id, max_attempts)
       select $14::text, jsonb_build_object('workspaceId', $1::text, 'from', s.base + 1, 'to', s.base + $2),
         least($7::timestamptz, now()), $1, 8
       from s where $14::text is not null and exists (select 1 from rules where workspace_id = $1 and enabled)
       returning 1),
     w as (select (select count(*) from j)::int + (select count(*) from r)::int as jobs)
     select s.base, (select count(*) from e)::int as n, w.jobs,
       case when $11::text is not null then pg_notify($11::text, $12::text || (s.base + 1) || ':' || (s.base + $2)) end,
       case when $13::text is not null and ($16::boolean or w.jobs > 0) then pg_notify($13::text, $15::text) end
     from s, w`,
);

/**
 * Appends events to the workspace's log. The sequence is taken from the workspace row with an UPDATE,
 * whose row lock is held to commit: commits within a workspace therefore happen in sequence order, and a
 * reader who has seen seq N has also been able to see everything below N. Call it last in a transaction
 * to keep that lock short: what else needs the new numbers (a job over a range of them, a NOTIFY naming
 * them) is written by the same statement, so the lock is held for one round trip and the commit.
 */
export async function appendEvents(
  q: Queryable,
  workspaceId: string,
  drafts: EventDraft[],
  at: Date,
  also: AppendAlso = {},
): Promise<Appended> {
  const append = await serialiseAppend(workspaceId, drafts, at, also);
  if (!append) return { events: [], jobs: 0 };
  return append.read(await q.query<AppendRow>(APPEND, append.params));
}

/**
 * `appendEvents` as the transaction's last statement, sent with its COMMIT (see TxQueryable.atCommit): it
 * resolves once the statement is queued, and `stored` once the transaction has ended. A handle that cannot
 * queue runs the statement at once.
 */
export async function appendEventsAtCommit(
  q: TxQueryable,
  workspaceId: string,
  drafts: EventDraft[],
  at: Date,
  also: AppendAlso = {},
): Promise<{ stored: Promise<Appended> }> {
  const append = await serialiseAppend(workspaceId, drafts, at, also);
  if (!append) return { stored: Promise.resolve({ events: [], jobs: 0 }) };
  if (!q.atCommit)
    return { stored: Promise.resolve(append.read(await q.query<AppendRow>(APPEND, append.params))) };
  return { stored: q.atCommit<AppendRow>(APPEND, append.params).then(append.read) };
}

type Appended = { events: StoredEvent[]; jobs: number };
type AppendRow = { base: number; n: number; jobs: number };

/** The APPEND statement's parameters for these drafts, and how its answer becomes the stored events. */
async function serialiseAppend(workspaceId: string, drafts: EventDraft[], at: Date, also: AppendAlso) {
  if (drafts.length === 0) return null;
  const iso = at.toISOString();
  // Each event is serialised once: the same text goes to the log and, with its number, to the sockets. A
  // long list is serialised over several turns of the event loop, before the statement takes the lock.
  const bodies: {
    draft: Omit<EventDraft, "audience" | "quiet">;
    audience: EventAudience;
    payload: string;
  }[] = [];
  for await (const { audience, quiet: _quiet, ...draft } of inTurns(drafts, SERIALISED_PER_TURN)) {
    bodies.push({
      draft,
      audience: audience ?? {},
      payload: JSON.stringify({ ...draft, workspaceId, at: iso }),
    });
  }
  const job = also.rangeJob ?? null;
  // One round trip while holding the lock: take the numbers, write the rows, enqueue the job over them and
  // send the notice in the same statement (data-modifying CTEs always run; the notice is selected). It says
  // how many jobs it wrote: the rules job is written only where a rule is on, and a transaction that wrote
  // none wakes no worker.
  const params = [
    workspaceId,
    drafts.length,
    bodies.map((b) => b.draft.type),
    bodies.map((b) => ("conversationId" in b.draft ? b.draft.conversationId : null)),
    // The JSON documents go as one JSON array each: no array literal to escape and parse element by element.
    `[${bodies.map((b) => JSON.stringify(b.audience)).join(",")}]`,
    `[${bodies.map((b) => b.payload).join(",")}]`,
    at,
    job?.type ?? null,
    job ? job.first + 1 : null,
    job ? job.last + 1 : null,
    also.notice?.channel ?? null,
    also.notice?.prefix ?? null,
    also.wake?.channel ?? null,
    also.rulesJob ?? null,
    also.wake?.payload ?? null,
    also.wake?.always === true,
  ];
  // Sent with the COMMIT, the check below comes after it: the workspace was deleted meanwhile, with every row
  // that referenced it, so the events had nothing left to describe.
  const read = (rows: AppendRow[]): Appended => {
    const [row] = rows;
    if (!row || row.n !== drafts.length)
      throw new Error(`workspace ${workspaceId} vanished while writing events`);
    const base = Number(row.base);
    const events = bodies.map(
      ({ draft, audience, payload }, i): StoredEvent => ({
        event: { ...draft, seq: base + i + 1, workspaceId, at: iso } as DomainEvent,
        audience,
        json: withSeq(payload, base + i + 1),
      }),
    );
    return { events, jobs: row.jobs };
  };
  return { params, read };
}

const READ = prepared(
  "events.read",
  "select seq, payload, audience from events where workspace_id = $1 and seq > $2 order by seq limit $3",
);
const READ_UP_TO = prepared(
  "events.read-up-to",
  "select seq, payload, audience from events where workspace_id = $1 and seq > $2 and seq <= $4 order by seq limit $3",
);

/**
 * A row of the log as an event, its number taken from its own column: the document does not hold it (those
 * written by earlier releases do, with the same value).
 */
export const eventOfRow = (r: {
  seq: number;
  payload: DomainEvent;
  audience: EventAudience;
}): StoredEvent => ({
  event: { ...r.payload, seq: r.seq },
  audience: r.audience,
});

export async function readEvents(
  q: Queryable,
  workspaceId: string,
  afterSeq: number,
  limit: number,
  upToSeq?: number,
): Promise<StoredEvent[]> {
  const rows = await q.query<{ seq: number; payload: DomainEvent; audience: EventAudience }>(
    upToSeq ? READ_UP_TO : READ,
    upToSeq ? [workspaceId, afterSeq, limit, upToSeq] : [workspaceId, afterSeq, limit],
  );
  return rows.map(eventOfRow);
}

export async function currentSeq(q: Queryable, workspaceId: string): Promise<number> {
  const [row] = await q.query<{ event_seq: number }>("select event_seq from workspaces where id = $1", [
    workspaceId,
  ]);
  return row?.event_seq ?? 0;
}
