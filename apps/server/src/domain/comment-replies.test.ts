import { describe, expect, it } from "vitest";
import { commentReplyVerdict } from "./comment-replies";

const DAY = 86400_000;
const at = new Date("2026-05-01T10:00:00Z");
const base = {
  now: new Date(at.getTime() + DAY),
  comment: { at, removed: false, deleted: false },
  privatelyReplied: false,
  privateReplyDays: 7,
};

describe("comment replies (R451)", () => {
  it("a public reply goes while the comment is there", () => {
    expect(commentReplyVerdict({ ...base, mode: "public" })).toEqual({ allowed: true, closesAt: null });
    const removed = commentReplyVerdict({
      ...base,
      mode: "public",
      comment: { ...base.comment, removed: true },
    });
    expect(removed).toMatchObject({ allowed: false, reason: expect.stringMatching(/customer removed/) });
    const none = commentReplyVerdict({ ...base, mode: "public", comment: null });
    expect(none.allowed).toBe(false);
  });

  it("a private reply goes once, within 7 days of the comment", () => {
    const ok = commentReplyVerdict({ ...base, mode: "private" });
    expect(ok).toEqual({ allowed: true, closesAt: new Date(at.getTime() + 7 * DAY) });
    const again = commentReplyVerdict({ ...base, mode: "private", privatelyReplied: true });
    expect(again).toMatchObject({ allowed: false, reason: expect.stringMatching(/one per comment/) });
    const justBefore = commentReplyVerdict({
      ...base,
      mode: "private",
      now: new Date(at.getTime() + 7 * DAY - 1),
    });
    expect(justBefore.allowed).toBe(true);
    const late = commentReplyVerdict({ ...base, mode: "private", now: new Date(at.getTime() + 7 * DAY) });
    expect(late).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/within 7 days of the comment; this one was written on 2026-05-01/),
    });
  });

  it("a mention takes public replies only: a private one is refused, saying why for a caption and a comment", () => {
    for (const mention of ["comment", "caption"] as const) {
      expect(commentReplyVerdict({ ...base, mode: "public", mention })).toEqual({
        allowed: true,
        closesAt: null,
      });
    }
    const caption = commentReplyVerdict({ ...base, mode: "private", mention: "caption" });
    expect(caption).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/not possible to a caption mention/),
    });
    const comment = commentReplyVerdict({ ...base, mode: "private", mention: "comment" });
    expect(comment).toMatchObject({ allowed: false, reason: expect.stringMatching(/account's own posts/) });
  });
});
