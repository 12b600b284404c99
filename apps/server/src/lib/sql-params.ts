/**
 * Adds a value to a query's parameters and answers its placeholder (`$n`): how queries built from optional
 * parts (filters, the read rule) number their values.
 */
export type Param = (value: unknown) => string;

/** A `Param` that appends to `params`, which may already hold the query's first values (`$1`, `$2`, …). */
export function paramsOf(params: unknown[]): Param {
  return (value) => {
    params.push(value);
    return `$${params.length}`;
  };
}
