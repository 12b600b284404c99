/**
 * Connections activated (created or re-checked) in this process. A server with a JOB_SCOPE (the test suite:
 * many servers on one database) watches only these, as it runs only the jobs it enqueued.
 */
export const activatedHere = new Set<string>();
