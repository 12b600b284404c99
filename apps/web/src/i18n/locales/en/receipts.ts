/** Read-receipt policy, "seen by", privacy, diagnostics and receipt reports. Top-level keys here must not clash with another file's. */
export const enReceipts = {};
