/** The conversation screen: attachments, quoting, canned replies, emoji, contact panel, blocking, tasks and reminders. Top-level keys here must not clash with another file's. */
export const ukConversationTools = {};
