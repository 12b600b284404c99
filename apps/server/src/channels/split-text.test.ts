import { describe, expect, it } from "vitest";
import { splitText } from "./split-text";

const segments = (s: string) => [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(s)];

describe("splitText", () => {
  it("keeps a text that fits whole, and leaves out parts of only whitespace", () => {
    expect(splitText("hello", 5)).toEqual(["hello"]);
    expect(splitText("   ", 2)).toEqual([]);
  });

  it("cuts at a paragraph break first, then a line break, then a space", () => {
    const para = `${"a".repeat(60)}\n\n${"b ".repeat(20)}\nc`;
    expect(splitText(para, 80)).toEqual(["a".repeat(60), `${"b ".repeat(20)}\nc`]);
    const lines = `${"a ".repeat(30)}\n${"b".repeat(30)}`;
    expect(splitText(lines, 70)).toEqual(["a ".repeat(30).trimEnd(), "b".repeat(30)]);
    expect(splitText("one two three four", 9)).toEqual(["one two", "three", "four"]);
  });

  it("prefers a later space to a paragraph break near the start", () => {
    const text = `intro\n\n${"word ".repeat(40)}`;
    const parts = splitText(text, 100);
    expect(parts[0]!.startsWith("intro\n\nword")).toBe(true);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(100);
  });

  it("never cuts an emoji, a surrogate pair or a letter with combining marks", () => {
    const emoji = "👨‍👩‍👧‍👦👍🏽🇺🇦e\u0301😀".repeat(200);
    const parts = splitText(emoji, 97);
    expect(parts.join("")).toBe(emoji);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(97);
      // Each part is whole clusters: splitting the text at the parts' ends gives the same clusters.
      expect(
        segments(p)
          .map((s) => s.segment)
          .join(""),
      ).toBe(p);
    }
    expect(parts.flatMap((p) => segments(p).map((s) => s.segment))).toEqual(
      segments(emoji).map((s) => s.segment),
    );
  });

  it("splits 9,000 characters of paragraphs into parts of at most 4,096, the same way every time", () => {
    const paragraph = (i: number) => `${i}. ${"Строка с пробелами и переносами. ".repeat(10)}`.trim();
    const text = Array.from({ length: 27 }, (_, i) => paragraph(i)).join("\n\n");
    expect(text.length).toBeGreaterThan(9000);
    const parts = splitText(text, 4096);
    expect(parts).toHaveLength(3);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(p).toMatch(/^\d+\. Строка/);
      expect(p.endsWith("переносами.")).toBe(true);
    }
    expect(parts.join("\n\n")).toBe(text);
    expect(splitText(text, 4096)).toEqual(parts);
  });
});
