/**
 * Conversation numbers are per workspace and come from a PostgreSQL sequence of the workspace's own: taking a
 * number holds no row lock until commit (a counter row would, and would order locks against the event log's).
 * A rolled-back transaction leaves a gap, as sequences do.
 */
export const conversationNumberSequence = (workspaceId: string) =>
  `conversation_number_${workspaceId.replaceAll("-", "")}`;
