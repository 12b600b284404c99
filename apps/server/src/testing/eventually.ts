export interface EventuallyOptions {
  /** How long to keep trying (ms) before failing with the last failure. */
  timeout?: number;
  /** Pause between attempts (ms). */
  interval?: number;
  /** What is awaited, for the error when it never comes. */
  what?: string;
}

/** The value a check returned: a check "fails" by throwing or by returning false, null or undefined. */
type Found<T> = Exclude<T, false | null | undefined>;

/**
 * Runs `check` until it passes, and returns what it returned. A check fails by throwing (an `expect`) or by
 * returning false, null or undefined (nothing found yet). After `timeout` the last failure is the error:
 * the assertion that kept failing, not just "timed out". The one way the tests wait for work the server
 * does in the background (jobs, fan-out, sockets).
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeout = 10_000, interval = 25, what }: EventuallyOptions = {},
): Promise<Found<T>> {
  const deadline = performance.now() + timeout;
  for (;;) {
    let failure: unknown;
    try {
      const value = await check();
      if (value !== false && value !== null && value !== undefined) return value as Found<T>;
      failure = new Error(`${what ?? "the condition"} never held (last value: ${String(value)})`);
    } catch (err) {
      failure = err;
    }
    if (performance.now() >= deadline) {
      if (what && failure instanceof Error) failure.message = `waiting for ${what}: ${failure.message}`;
      throw failure;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
