/** Limits shared by the server and the apps. */
export const LIMITS = {
  /** R204: at most 2,000 non-space characters in one message. */
  messageNonSpaceChars: 2000,
  /** Hard cap on stored text, whatever the channel. */
  messageTextChars: 65_536,
  noteTextChars: 20_000,
  pageSizeMax: 200,
  pageSizeDefault: 50,
  webhookBodyBytes: 1_048_576,
  apiBodyBytes: 1_048_576,
  /** Events replayed to a reconnecting socket before it is told to resync from the REST API. */
  resumeBacklogMax: 5_000,
} as const;

export function countNonSpace(text: string): number {
  return text.replace(/\s+/gu, "").length;
}
