/**
 * Resolves on a later turn of the event loop (setImmediate), after the I/O callbacks already due: a long
 * synchronous loop awaits it between chunks so that timers, requests and the database client's answers wait
 * one chunk at most.
 */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
