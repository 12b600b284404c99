import { describe, expect, it } from "vitest";
import { countNonSpace, LIMITS } from "./limits";

describe("countNonSpace", () => {
  it("counts what a person sees: one emoji is one character, whatever its code units", () => {
    const family = "👨‍👩‍👧‍👦"; // four people joined by zero-width joiners: 11 UTF-16 units
    const thumb = "👍🏽"; // with a skin tone: 4 units
    const flag = "🇺🇦"; // two regional indicators
    const kiss = "🧑🏻‍❤️‍💋‍🧑🏿";
    for (const e of [family, thumb, flag, kiss, "😀"]) expect(countNonSpace(e)).toBe(1);
    const many = Array.from({ length: 1500 }, (_, i) => [family, thumb, flag, kiss, "😀"][i % 5]).join("");
    expect(many.length).toBeGreaterThan(1500 * 2);
    expect(countNonSpace(many)).toBe(1500);
    expect(countNonSpace(many)).toBeLessThanOrEqual(LIMITS.messageNonSpaceChars);
  });

  it("counts a letter with combining marks once, Cyrillic letter by letter, and skips every kind of space", () => {
    expect(countNonSpace("e\u0301")).toBe(1); // é as e + combining acute
    expect(countNonSpace("Z\u0351\u036b\u0343\u036a")).toBe(1);
    expect(countNonSpace("й")).toBe(1); // и + combining breve
    expect(countNonSpace("Привіт, світе!")).toBe(13);
    expect(countNonSpace("Здравствуйте,\r\n\tмир\u00a0 \u2003!")).toBe(17);
    expect(countNonSpace("hello world\n")).toBe(10);
    expect(countNonSpace("   \n\n ")).toBe(0);
    expect(countNonSpace("")).toBe(0);
  });
});
