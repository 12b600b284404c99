/** Agent notifications: settings, rules, in-app, browser push, email and digests. Top-level keys here must not clash with another file's. */
export const enNotify = {};
