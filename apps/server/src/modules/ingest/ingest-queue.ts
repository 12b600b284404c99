import type { InboundEvent } from "../../channels/types";
import type { AppContext } from "../../context";
import { AppError } from "../../lib/errors";
import { storableDeep } from "../../lib/text";
import { type ConnectionRef, type IngestOutcome, ingestBatch } from "./ingest-inbound";

interface Pending {
  submission: { connection: ConnectionRef; events: InboundEvent[] };
  resolve(outcomes: IngestOutcome[]): void;
  reject(err: unknown): void;
}

/** What happened to one submission: committed or failed, its events, and how long it took from submission. */
export interface IngestSettled {
  ok: boolean;
  events: number;
  ms: number;
}

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
 * fails alone. Every webhook is answered only after the transaction holding it has committed. At most
 * `limit` submissions wait (those being written are not counted): beyond it `submit` refuses at once with
 * IngestQueueFull, before accepting anything.
 */
export class IngestQueue {
  private readonly pending: Pending[] = [];
  private running = 0;
  /** Submissions in the running transactions. */
  private writing = 0;
  private scheduled = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: {
      concurrency: number;
      maxBatchEvents: number;
      limit: number;
      onSettled?: (s: IngestSettled) => void;
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
      const batch: Pending[] = [];
      let size = 0;
      while (
        this.pending.length > 0 &&
        (batch.length === 0 || size + this.pending[0]!.submission.events.length <= this.opts.maxBatchEvents)
      ) {
        const next = this.pending.shift()!;
        size += next.submission.events.length;
        batch.push(next);
      }
      this.running++;
      this.writing += batch.length;
      void this.run(batch).finally(() => {
        this.running--;
        this.writing -= batch.length;
        this.pump();
      });
    }
  }

  private async run(batch: Pending[]) {
    try {
      const outcomes = await ingestBatch(
        this.ctx,
        batch.map((p) => p.submission),
      );
      for (const [i, p] of batch.entries()) p.resolve(outcomes[i]!);
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
    }
  }
}
