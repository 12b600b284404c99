import { describe, expect, it } from "vitest";
import { smsKeyword, smsSegments } from "./sms";

describe("smsSegments", () => {
  it("an empty text is no part", () => {
    expect(smsSegments("")).toMatchObject({ encoding: "gsm7", units: 0, segments: 0 });
  });

  it("GSM-7: 160 characters in one message, 161 need two parts of 153", () => {
    expect(smsSegments("a".repeat(160))).toMatchObject({
      encoding: "gsm7",
      units: 160,
      segments: 1,
      perSegment: 160,
      remaining: 0,
    });
    expect(smsSegments("a".repeat(161))).toMatchObject({ segments: 2, perSegment: 153, remaining: 145 });
    expect(smsSegments("a".repeat(306)).segments).toBe(2);
    expect(smsSegments("a".repeat(307)).segments).toBe(3);
  });

  it("the GSM alphabet's accented letters, Greek capitals and line breaks stay GSM-7", () => {
    expect(smsSegments("Ça coûte 5£? Ñandú ΔΩ\r\nà bientôt").encoding).toBe("ucs2"); // û is not GSM
    expect(smsSegments("Ça va? 5£ Ñoño ΔΩ\r\nà Ü ß ¿¡ §").encoding).toBe("gsm7");
  });

  it("extension characters take two septets and a pair is never split across parts", () => {
    expect(smsSegments("€").units).toBe(2);
    expect(smsSegments("{}[]~|^\\€").units).toBe(18);
    expect(smsSegments(`${"a".repeat(158)}€`)).toMatchObject({ units: 160, segments: 1 });
    expect(smsSegments(`${"a".repeat(159)}€`)).toMatchObject({ units: 161, segments: 2 });
    // 152 septets then a two-septet character: it does not fit in the first part's last septet.
    const s = smsSegments(`${"a".repeat(152)}€${"a".repeat(152)}`);
    expect(s).toMatchObject({ units: 306, segments: 3 });
  });

  it("any other character makes the text UCS-2: 70 units, then parts of 67", () => {
    expect(smsSegments("Привіт")).toMatchObject({ encoding: "ucs2", units: 6, segments: 1, perSegment: 70 });
    expect(smsSegments("я".repeat(70))).toMatchObject({ segments: 1, remaining: 0 });
    expect(smsSegments("я".repeat(71))).toMatchObject({ segments: 2, perSegment: 67 });
    expect(smsSegments("я".repeat(134)).segments).toBe(2);
    expect(smsSegments("я".repeat(135)).segments).toBe(3);
    // One non-GSM character in a long Latin text: the whole text is UCS-2.
    expect(smsSegments(`${"a".repeat(100)}ą`)).toMatchObject({ encoding: "ucs2", segments: 2 });
  });

  it("a character outside the BMP takes two units and is never split across parts", () => {
    expect(smsSegments("😀")).toMatchObject({ encoding: "ucs2", units: 2, segments: 1 });
    expect(smsSegments("😀".repeat(35))).toMatchObject({ units: 70, segments: 1 });
    // 66 units then an emoji: the pair starts the second part.
    expect(smsSegments(`${"я".repeat(66)}😀${"я".repeat(66)}`)).toMatchObject({ units: 134, segments: 3 });
  });
});

describe("smsKeyword", () => {
  it("recognises the opt-out and opt-in words as the whole message, in any case", () => {
    for (const w of ["STOP", "stop", " Unsubscribe ", "STOPALL", "cancel", "END", "quit"])
      expect(smsKeyword(w)).toBe("opt_out");
    for (const w of ["START", "yes", "Unstop"]) expect(smsKeyword(w)).toBe("opt_in");
    for (const w of ["please stop", "STOP!", "", null, "starting"]) expect(smsKeyword(w)).toBeNull();
  });
});
