/** The message log, exports and team analytics. Top-level keys here must not clash with another file's. */
export const enLog = {};
