/**
 * User Timing marks (the Performance API) at moments a person waits for: the inbox list's first rows on
 * screen, and a conversation's feed on screen. They show in the browser's performance panel, and the browser
 * tests read them to measure the first meaningful paint and switching conversations. Each is taken in the
 * task after the frame that drew it (`requestAnimationFrame`, then a zero timeout), and a feed's mark is kept
 * once per conversation (the newest), so switching all day does not fill the buffer.
 */
export const LIST_ROWS_MARK = "parley:list-rows";
export const feedMark = (conversationId: string) => `parley:feed:${conversationId}`;

const afterPaint = (fn: () => void) => requestAnimationFrame(() => setTimeout(fn, 0));

/** The first time the inbox list shows rows in this page load. */
export function markListRows() {
  if (performance.getEntriesByName(LIST_ROWS_MARK).length) return;
  afterPaint(() => {
    if (!performance.getEntriesByName(LIST_ROWS_MARK).length) performance.mark(LIST_ROWS_MARK);
  });
}

/** A conversation's feed showing its messages (again after each switch to it). */
export function markFeed(conversationId: string) {
  afterPaint(() => {
    performance.clearMarks(feedMark(conversationId));
    performance.mark(feedMark(conversationId));
  });
}
