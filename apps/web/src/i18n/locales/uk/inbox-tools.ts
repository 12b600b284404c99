/** Filters, search, sorting, time limits (SLA) and bulk actions of the conversation list. Top-level keys here must not clash with another file's. */
export const ukInboxTools = {};
