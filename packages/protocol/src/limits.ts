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

let graphemes: Intl.Segmenter | null = null;

/**
 * R204's count: the characters a person sees (grapheme clusters — an emoji with skin tone or a ZWJ family,
 * a letter with combining marks each count one), not counting spaces and line breaks. The composer's counter
 * and the server's check both use it.
 */
export function countNonSpace(text: string): number {
  // Plain ASCII (the common case, counted on every keystroke): one character is one code unit.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, checked as a whole
  if (/^[\u0000-\u007f]*$/.test(text)) return text.replace(/\s+/g, "").length;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let count = 0;
  for (const { segment } of graphemes.segment(text)) if (/\S/u.test(segment)) count++;
  return count;
}
