import type { DomainEvent } from "@parley/protocol";
import type { Queryable } from "../db/client";
import type { EventAudience } from "../domain/permissions";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before it has its sequence number. */
export type EventDraft = DistributiveOmit<DomainEvent, "seq" | "workspaceId" | "at"> & {
  audience?: EventAudience;
};

export interface StoredEvent {
  event: DomainEvent;
  audience: EventAudience;
}

/**
 * Appends events to the workspace's log. The sequence is taken from the workspace row with an UPDATE,
 * whose row lock is held to commit: commits within a workspace therefore happen in sequence order, and a
 * reader who has seen seq N has also been able to see everything below N. Call it last in a transaction
 * to keep that lock short.
 */
export async function appendEvents(
  q: Queryable,
  workspaceId: string,
  drafts: EventDraft[],
  at: Date,
): Promise<StoredEvent[]> {
  if (drafts.length === 0) return [];
  const [row] = await q.query<{ event_seq: number }>(
    "update workspaces set event_seq = event_seq + $2 where id = $1 returning event_seq",
    [workspaceId, drafts.length],
  );
  if (!row) throw new Error(`workspace ${workspaceId} vanished while writing events`);
  const first = row.event_seq - drafts.length + 1;
  const stored = drafts.map(({ audience, ...draft }, i): StoredEvent => {
    const event = { ...draft, seq: first + i, workspaceId, at: at.toISOString() } as DomainEvent;
    return { event, audience: audience ?? {} };
  });
  const params: unknown[] = [];
  const values = stored.map((s, i) => {
    params.push(
      workspaceId,
      s.event.seq,
      s.event.type,
      "conversationId" in s.event ? s.event.conversationId : null,
      JSON.stringify(s.audience),
      JSON.stringify(s.event),
      at,
    );
    const b = i * 7;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7})`;
  });
  await q.query(
    `insert into events (workspace_id, seq, type, conversation_id, audience, payload, created_at) values ${values.join(", ")}`,
    params,
  );
  return stored;
}

export async function readEvents(
  q: Queryable,
  workspaceId: string,
  afterSeq: number,
  limit: number,
  upToSeq?: number,
): Promise<StoredEvent[]> {
  const rows = await q.query<{ payload: DomainEvent; audience: EventAudience }>(
    `select payload, audience from events where workspace_id = $1 and seq > $2 ${upToSeq ? "and seq <= $4" : ""}
     order by seq limit $3`,
    upToSeq ? [workspaceId, afterSeq, limit, upToSeq] : [workspaceId, afterSeq, limit],
  );
  return rows.map((r) => ({ event: r.payload, audience: r.audience }));
}

export async function currentSeq(q: Queryable, workspaceId: string): Promise<number> {
  const [row] = await q.query<{ event_seq: number }>("select event_seq from workspaces where id = $1", [
    workspaceId,
  ]);
  return row?.event_seq ?? 0;
}
