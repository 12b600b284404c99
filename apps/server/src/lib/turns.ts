/**
 * Resolves on a later turn of the event loop (setImmediate), after the I/O callbacks already due: a long
 * synchronous loop awaits it between chunks so that timers, requests and the database client's answers wait
 * one chunk at most.
 */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The items of a long list, `perTurn` to a turn of the event loop: `for await (const x of inTurns(list, n))`
 * runs the loop's body for n items, then lets a turn pass (nextTurn) before the next n.
 */
export async function* inTurns<T>(items: readonly T[], perTurn: number): AsyncGenerator<T> {
  for (const [i, item] of items.entries()) {
    if (i > 0 && i % perTurn === 0) await nextTurn();
    yield item;
  }
}
