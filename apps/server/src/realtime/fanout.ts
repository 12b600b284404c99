/** One broadcast: the sockets it goes to, in order, and what is done for each. */
interface Job<T> {
  targets: readonly T[];
  next: number;
  each: (target: T) => void;
}

/** How long one turn of the fan-out may hold the event loop before it yields (ms). */
export const FANOUT_SLICE_MS = 4;

/**
 * Runs broadcasts socket by socket in slices of at most `sliceMs`, yielding to the event loop between slices
 * (setImmediate), so that however many sockets there are, timers, I/O and incoming requests wait one slice at
 * most. Broadcasts run strictly one after another, in the order they were pushed: a socket receives the
 * frames of every broadcast in that order, whichever slices they were written in.
 */
export class ChunkedFanout<T> {
  private readonly jobs: Job<T>[] = [];
  private scheduled = false;
  private stopped = false;
  /** The longest slice since it was last read (ms). */
  private longestMs = 0;

  constructor(
    private readonly onError: (err: unknown) => void,
    private readonly sliceMs = FANOUT_SLICE_MS,
  ) {}

  /** Queues `each` for every target, after the broadcasts queued before it. */
  push(targets: readonly T[], each: (target: T) => void) {
    if (this.stopped || targets.length === 0) return;
    this.jobs.push({ targets, next: 0, each });
    this.schedule();
  }

  /** Broadcasts queued or under way. */
  pending(): number {
    return this.jobs.length;
  }

  /** The longest slice the fan-out held the event loop since the last call (ms); resets it. */
  takeLongest(): number {
    const ms = this.longestMs;
    this.longestMs = 0;
    return ms;
  }

  /** Drops what is queued; nothing more runs. */
  stop() {
    this.stopped = true;
    this.jobs.length = 0;
  }

  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.slice();
    });
  }

  private slice() {
    const started = performance.now();
    const until = started + this.sliceMs;
    try {
      while (this.jobs.length > 0) {
        const job = this.jobs[0]!;
        while (job.next < job.targets.length) {
          const target = job.targets[job.next++]!;
          try {
            job.each(target);
          } catch (err) {
            this.onError(err);
          }
          if (performance.now() >= until) return;
        }
        this.jobs.shift();
      }
    } finally {
      this.longestMs = Math.max(this.longestMs, performance.now() - started);
      if (this.jobs.length > 0 && !this.stopped) this.schedule();
    }
  }
}
