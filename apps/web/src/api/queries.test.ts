import type { Message } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { mergeMessages } from "./queries";

const queued = (waiting: NonNullable<Message["delivery"]>["waiting"]): Message => ({
  id: "m1",
  seq: 3,
  conversationId: "c1",
  direction: "outbound",
  kind: "message",
  authorType: "user",
  authorId: "u1",
  text: "One moment",
  attachments: [],
  quotedMessageId: null,
  event: null,
  providerMessageId: null,
  delivery: {
    state: "queued",
    queuedAt: "2026-12-02T09:00:00.000Z",
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    failureReason: null,
    failureDetail: null,
    waiting,
  },
  template: null,
  reactions: [],
  createdAt: "2026-12-02T09:00:00.000Z",
});

describe("mergeMessages", () => {
  it("keeps the socket's waiting time when the answer to the send arrives after it", () => {
    const waiting = { reason: "rate_limited" as const, until: "2026-12-02T09:10:00.000Z" };
    const [merged] = mergeMessages([queued(waiting)], [queued(null)]);
    expect(merged!.delivery!.waiting).toEqual(waiting);
    const later = { reason: "rate_limited" as const, until: "2026-12-02T09:20:00.000Z" };
    expect(mergeMessages([queued(waiting)], [queued(later)])[0]!.delivery!.waiting).toEqual(later);
  });
});
