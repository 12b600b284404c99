import { prepared, type Queryable } from "../../db/client";
import { readEvents } from "../../events/store";
import { eventIdOf, payloadBody, webhookEventOf } from "./events";

/** An endpoint this process holds the lease of, with what working it needs. */
export interface LeasedEndpoint {
  id: string;
  workspace_id: string;
  url: string;
  events: string[];
  secret_enc: string;
  cursor_seq: number;
  failing_since: Date | null;
}

const CLAIM_ENDPOINTS = prepared(
  "webhooks.claim-endpoints",
  `update webhook_endpoints e set lease_owner = $1, lease_until = $3
     where e.id in (
       select x.id from webhook_endpoints x join workspaces w on w.id = x.workspace_id
       where x.active and (x.lease_until is null or x.lease_until < $2) and not (x.id = any($5::uuid[]))
         and (x.cursor_seq < w.event_seq or exists (select 1 from webhook_deliveries d
               where d.endpoint_id = x.id and d.status = 'pending' and d.next_attempt_at <= $2))
       order by x.lease_until nulls first limit $4
       for update of x skip locked)
     returning e.id, e.workspace_id, e.url, e.events, e.secret_enc, e.cursor_seq, e.failing_since`,
);

/**
 * Takes the lease of up to `limit` active endpoints that have work (events after their cursor, or a due
 * delivery), skipping those another process holds and those in `busy` (this process works them already).
 */
export function claimEndpoints(
  q: Queryable,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  busy: string[],
): Promise<LeasedEndpoint[]> {
  return q.query<LeasedEndpoint>(CLAIM_ENDPOINTS, [
    owner,
    now,
    new Date(now.getTime() + leaseMs),
    limit,
    busy,
  ]);
}

/** Whether any endpoint of any workspace is active. */
export async function anyActiveEndpoint(q: Queryable): Promise<boolean> {
  const [row] = await q.query<{ any: boolean }>(
    "select exists (select 1 from webhook_endpoints where active) as any",
  );
  return row?.any === true;
}

/** Keeps the lease (and reads whether the endpoint is still on and where it points). */
export async function renewLease(
  q: Queryable,
  ep: LeasedEndpoint,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<{ active: boolean; url: string; events: string[] } | null> {
  const [row] = await q.query<{ active: boolean; url: string; events: string[] }>(
    `update webhook_endpoints set lease_until = $3 where id = $1 and lease_owner = $2
     returning active, url, events`,
    [ep.id, owner, new Date(now.getTime() + leaseMs)],
  );
  return row ?? null;
}

export async function releaseLease(q: Queryable, endpointId: string, owner: string) {
  await q.query(
    "update webhook_endpoints set lease_owner = null, lease_until = null where id = $1 and lease_owner = $2",
    [endpointId, owner],
  );
}

/**
 * Turns the events after the endpoint's cursor into deliveries and moves the cursor past them, in one
 * statement (nothing if the lease was lost). A new delivery behind a waiting one of its conversation is due
 * no earlier than that one (the waiting ones are found by the due index: those not due yet, usually few).
 * Returns how many events were read.
 */
export async function fillDeliveries(
  q: Queryable,
  ep: LeasedEndpoint,
  owner: string,
  now: Date,
  limit: number,
): Promise<number> {
  const stored = await readEvents(q, ep.workspace_id, ep.cursor_seq, limit);
  if (!stored.length) return 0;
  const last = stored[stored.length - 1]!.event.seq;
  const rows = stored.flatMap(({ event }) => {
    const m = webhookEventOf(event);
    if (!m || !ep.events.includes(m.type)) return [];
    const id = eventIdOf(ep.workspace_id, event.seq);
    const body = payloadBody({
      id,
      type: m.type,
      createdAt: event.at,
      workspaceId: ep.workspace_id,
      data: m.data,
    });
    return [{ id, type: m.type, seq: event.seq, key: m.orderingKey, body }];
  });
  const moved = await q.query(
    `with u as (update webhook_endpoints set cursor_seq = $3 where id = $1 and lease_owner = $2 and cursor_seq = $4
       returning id, workspace_id),
     held as (select h.ordering_key, max(h.next_attempt_at) as until from webhook_deliveries h
       where h.endpoint_id = $1 and h.status = 'pending' and h.next_attempt_at > $5 group by h.ordering_key),
     ins as (insert into webhook_deliveries (endpoint_id, workspace_id, event_id, event_type, event_seq, ordering_key, body,
         next_attempt_at, created_at)
       select u.id, u.workspace_id, p.event_id, p.type, p.seq, p.key, p.body, coalesce(held.until, $5), $5
       from u cross join unnest($6::uuid[], $7::text[], $8::bigint[], $9::text[], $10::text[]) as p(event_id, type, seq, key, body)
         left join held on held.ordering_key = p.key)
     select id from u`,
    [
      ep.id,
      owner,
      last,
      ep.cursor_seq,
      now,
      rows.map((r) => r.id),
      rows.map((r) => r.type),
      rows.map((r) => r.seq),
      rows.map((r) => r.key),
      rows.map((r) => r.body),
    ],
  );
  if (!moved.length) throw new Error(`webhook endpoint ${ep.id}: lease lost while reading events`);
  ep.cursor_seq = last;
  return stored.length;
}

export interface DueDelivery {
  id: string;
  event_id: string;
  event_type: string;
  ordering_key: string;
  body: string;
  attempts: number;
}

/**
 * Due deliveries in log order, leaving out every one that has an earlier delivery of its conversation still
 * waiting for a retry (a failing delivery holds the later ones of its conversation, and nothing else), and
 * those in `held` (the caller has them already, out or waiting for their conversation's turn).
 */
export function dueDeliveries(
  q: Queryable,
  endpointId: string,
  now: Date,
  limit: number,
  held: string[] = [],
) {
  return q.query<DueDelivery>(
    `select d.id, d.event_id, d.event_type, d.ordering_key, d.body, d.attempts from webhook_deliveries d
     where d.endpoint_id = $1 and d.status = 'pending' and d.next_attempt_at <= $2 and d.id <> all($4::uuid[])
       and not exists (select 1 from webhook_deliveries h where h.endpoint_id = $1 and h.status = 'pending'
         and h.ordering_key = d.ordering_key and h.event_seq < d.event_seq and h.next_attempt_at > $2)
     order by d.event_seq, d.created_at limit $3`,
    [endpointId, now, limit, held],
  );
}

export interface Outcome {
  id: string;
  key: string;
  status: "pending" | "succeeded" | "failed";
  nextAt: Date;
  at: Date;
  durationMs: number;
  responseStatus: number | null;
  excerpt: string | null;
  error: string | null;
}

/** Writes a round's outcomes in one statement; later deliveries of a key that will retry wait as long. */
export async function recordOutcomes(q: Queryable, endpointId: string, outcomes: Outcome[]) {
  if (!outcomes.length) return;
  const retrying = outcomes.filter((o) => o.status === "pending");
  await q.query(
    `with r as (select * from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[],
         $6::int[], $7::text[], $8::text[]) as r(id, status, next_at, at, duration, code, excerpt, error)),
     done as (update webhook_deliveries d set status = r.status, attempts = d.attempts + 1, next_attempt_at = r.next_at,
         last_attempt_at = r.at, duration_ms = r.duration, response_status = r.code, response_excerpt = r.excerpt,
         error = r.error, delivered_at = case when r.status = 'succeeded' then r.at else d.delivered_at end
       from r where d.id = r.id returning d.id)
     update webhook_deliveries d set next_attempt_at = k.next_at
     from unnest($9::text[], $10::timestamptz[]) as k(key, next_at)
     where d.endpoint_id = $11 and d.status = 'pending' and d.ordering_key = k.key and d.next_attempt_at < k.next_at
       and not (d.id = any($1::uuid[]))`,
    [
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.nextAt.toISOString()),
      outcomes.map((o) => o.at.toISOString()),
      outcomes.map((o) => Math.round(o.durationMs)),
      outcomes.map((o) => o.responseStatus),
      outcomes.map((o) => o.excerpt),
      outcomes.map((o) => o.error),
      retrying.map((o) => o.key),
      retrying.map((o) => o.nextAt.toISOString()),
      endpointId,
    ],
  );
}
