import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Fields added to every log line written inside a unit of work (a job's id and type), whichever logger
 * writes it: the root logger's `mixin` reads them.
 */
const store = new AsyncLocalStorage<Record<string, unknown>>();

export const withLogContext = <T>(fields: Record<string, unknown>, fn: () => Promise<T>): Promise<T> =>
  store.run({ ...store.getStore(), ...fields }, fn);

/** For pino's `mixin` option. */
export const logContext = (): Record<string, unknown> => store.getStore() ?? {};
