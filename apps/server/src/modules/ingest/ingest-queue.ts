import type { InboundEvent } from "../../channels/types";
import type { AppContext } from "../../context";
import { AppError } from "../../lib/errors";
import { storableDeep } from "../../lib/text";
import { inTurns } from "../../lib/turns";
import { type ConnectionRef, type IngestOutcome, ingestBatch } from "./ingest-inbound";

interface Pending {
  submission: { connection: ConnectionRef; events: InboundEvent[] };
  /** When it was submitted (performance.now()). */
  at: number;
  resolve(outcomes: IngestOutcome[]): void;
  reject(err: unknown): void;
}

/** What happened to one submission: committed or failed, its events, and how long it took from submission. */
export interface IngestSettled {
  ok: boolean;
  events: number;
  ms: number;
}

/**
 * One batch's run: its submissions, how long each waited for it to start, and how long it took from its
 * start until it settled (its transaction, and after a failure the one-by-one retries).
 */
export interface IngestBatchRun {
  submissions: number;
  waitedMs: number[];
  ms: number;
}

/**
 * How many of a committed batch's webhooks are answered in one turn of the event loop. Each answer runs the
 * rest of its request (the reply's serialisation and its socket write, a tenth of a millisecond or more): a
 * batch of 200 answered at once would hold the loop for tens of milliseconds, so they go out a slice at a time.
 */
export const ANSWERS_PER_TURN = 16;

/** How long a refused webhook's sender is asked to wait before trying again. */
export const INGEST_RETRY_AFTER_SECONDS = 5;

/** The queue is full: 503 with Retry-After; nothing was accepted, so the sender's retry loses nothing. */
export class IngestQueueFull extends AppError {
  constructor(limit: number) {
    super(
      "unavailable",
      `Too many messages are waiting to be stored (${limit}); nothing was accepted: try again in ${INGEST_RETRY_AFTER_SECONDS} seconds.`,
      { retryAfterSeconds: INGEST_RETRY_AFTER_SECONDS },
    );
  }
}

/**
 * Group commit for webhooks. A webhook waits for nothing when the database is idle: it runs at once in its
 * own transaction. While transactions are running, the webhooks that arrive meanwhile are gathered and
 * written together in the next one, so a burst costs a few statements and one commit instead of a
 * transaction each. If a shared transaction fails, its webhooks are retried one by one, so one bad payload
 * fails alone. Every webhook is answered only after the transaction holding it has committed, a batch's
 * webhooks a slice per turn of the event loop (answerInSlices). At most `limit` submissions wait (those being
 * written are not counted): beyond it `submit` refuses at once with IngestQueueFull, before accepting anything.
 *
 * A workspace has at most one ingest transaction running: its events take the workspace's sequence lock,
 * held to commit (events/store.ts), so a second transaction of the same workspace would only wait for it
 * while holding a connection. Its webhooks wait instead and are written together by its next transaction:
 * a busy workspace's status reports go in as few, large batches (one commit, one event append, one
 * fan-out job and one frame per socket for the lot), while other workspaces' webhooks start beside it. A
 * workspace's transactions therefore also commit in the order its webhooks arrived.
 */
export class IngestQueue {
  private readonly pending: Pending[] = [];
  private running = 0;
  /** Submissions in the running transactions. */
  private writing = 0;
  /** Workspaces with a transaction running. */
  private readonly busy = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: {
      concurrency: number;
      maxBatchEvents: number;
      limit: number;
      onSettled?: (s: IngestSettled) => void;
      onBatch?: (b: IngestBatchRun) => void;
      onRefused?: () => void;
    },
  ) {}

  /** Submissions waiting for a transaction, and submissions in transactions now. */
  depth(): { waiting: number; writing: number; limit: number } {
    return { waiting: this.pending.length, writing: this.writing, limit: this.opts.limit };
  }

  submit(connection: ConnectionRef, events: InboundEvent[]): Promise<IngestOutcome[]> {
    if (this.pending.length >= this.opts.limit) {
      this.opts.onRefused?.();
      return Promise.reject(new IngestQueueFull(this.opts.limit));
    }
    return new Promise((resolve, reject) => {
      const at = performance.now();
      const settled = (ok: boolean) =>
        this.opts.onSettled?.({ ok, events: events.length, ms: performance.now() - at });
      // Text PostgreSQL cannot store (NUL, lone surrogates) is dropped here, for every channel: the message
      // is kept without it rather than refused (a provider would retry a refusal forever).
      this.pending.push({
        submission: { connection, events: storableDeep(events) },
        at,
        resolve: (outcomes) => {
          settled(true);
          resolve(outcomes);
        },
        reject: (err) => {
          settled(false);
          reject(err);
        },
      });
      this.pump();
    });
  }

  /**
   * Starts batches on the next turn of the event loop, after the I/O callbacks already due: the embedded
   * database runs synchronously, so a transaction started right away would finish before the webhooks read
   * in the same turn had even been parsed, and every batch would hold one webhook.
   */
  private pump() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startBatches();
    });
  }

  private startBatches() {
    while (this.running < this.opts.concurrency && this.pending.length > 0) {
      // The oldest submissions whose workspaces have no transaction running, in arrival order, up to the
      // size limit; the others keep their places for a later batch.
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      const taken = new Set<string>();
      // A workspace's webhook left out keeps its later ones out too: they commit in the order they came.
      const left = new Set<string>();
      let size = 0;
      for (const p of this.pending) {
        const ws = p.submission.connection.workspaceId;
        const fits = batch.length === 0 || size + p.submission.events.length <= this.opts.maxBatchEvents;
        if (this.busy.has(ws) || left.has(ws) || !fits) {
          left.add(ws);
          rest.push(p);
          continue;
        }
        size += p.submission.events.length;
        batch.push(p);
        taken.add(ws);
      }
      if (batch.length === 0) return;
      this.pending.splice(0, this.pending.length, ...rest);
      for (const ws of taken) this.busy.add(ws);
      this.running++;
      this.writing += batch.length;
      void this.run(batch).finally(() => {
        this.running--;
        this.writing -= batch.length;
        for (const ws of taken) this.busy.delete(ws);
        this.pump();
      });
    }
  }

  private async run(batch: Pending[]) {
    const started = performance.now();
    const waitedMs = batch.map((p) => started - p.at);
    try {
      await this.write(batch);
    } finally {
      try {
        this.opts.onBatch?.({ submissions: batch.length, waitedMs, ms: performance.now() - started });
      } catch (err) {
        this.ctx.log.warn({ err }, "the ingest queue's batch report failed");
      }
    }
  }

  private async write(batch: Pending[]) {
    let outcomes: IngestOutcome[][];
    try {
      outcomes = await ingestBatch(
        this.ctx,
        batch.map((p) => p.submission),
      );
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      this.ctx.log.warn(
        { err, webhooks: batch.length },
        "a shared ingest transaction failed; retrying its webhooks one by one",
      );
      for (const p of batch) {
        try {
          const [outcomes] = await ingestBatch(this.ctx, [p.submission]);
          p.resolve(outcomes!);
        } catch (one) {
          p.reject(one);
        }
      }
      return;
    }
    // The next batch need not wait for the answers: they go out while it runs.
    void answerInSlices(batch, outcomes);
  }
}

/**
 * Answers a committed batch's webhooks, ANSWERS_PER_TURN per turn of the event loop: the answers resolved in
 * one turn run in its microtasks, and the next slice waits for the next turn, after the I/O due meanwhile.
 */
async function answerInSlices(batch: Pending[], outcomes: IngestOutcome[][]) {
  for await (const [i, p] of inTurns([...batch.entries()], ANSWERS_PER_TURN)) p.resolve(outcomes[i]!);
}
