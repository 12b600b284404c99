/**
 * Splits a text longer than a channel's limit into parts of at most `max` UTF-16 code units (what a
 * JavaScript string's length counts, and never less than the characters a provider counts), preferring a
 * paragraph break, then a line break, then a space in the second half of each part, and cutting between
 * grapheme clusters only when a "word" is longer than a whole part: an emoji, a surrogate pair or a letter
 * with its combining marks is never cut. The same text always splits the same way, so a retry can resume
 * after the parts already sent. The whitespace at a cut is dropped; parts of only whitespace are left out.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 1) throw new Error("max must be positive");
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const { end, next } = cut(rest, max);
    const head = rest.slice(0, end).trimEnd();
    if (head.trim()) parts.push(head);
    rest = rest.slice(next).replace(/^\s+/u, "");
  }
  if (rest.trim()) parts.push(rest);
  return parts;
}

const BOUNDARIES = [/\n[^\S\n]*\n\s*/gu, /\n\s*/gu, /\s+/gu];

/** Where the first part ends (`end`) and the rest begins (`next`). */
function cut(text: string, max: number): { end: number; next: number } {
  // A boundary right after the last character that fits counts too.
  const window = text.slice(0, max + 1);
  for (const re of BOUNDARIES) {
    let best: { end: number; next: number } | null = null;
    for (const m of window.matchAll(re)) {
      if (m.index > 0 && m.index <= max) best = { end: m.index, next: m.index + m[0].length };
    }
    if (best && best.end >= max / 2) return best;
  }
  // A very long "word" (a link, a run without spaces): cut between grapheme clusters.
  let end = 0;
  for (const { index, segment } of graphemes().segment(window)) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  if (end === 0) {
    // One cluster longer than a part (thousands of combining marks): cut between code points.
    end = max;
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
  }
  return { end, next: end };
}

let segmenter: Intl.Segmenter | null = null;
const graphemes = () => {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return segmenter;
};
