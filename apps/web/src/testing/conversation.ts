import type { Conversation } from "@parley/protocol";

/** A conversation as the API returns it, for tests of what the web app does with one. */
export const conversationFixture = (over: Partial<Conversation> = {}): Conversation => ({
  id: "b",
  number: 1,
  status: "open",
  connection: { id: "conn", type: "telegram", name: "Bot" },
  contact: { id: "ct", name: "A", nickname: null, email: null, phone: null, avatarUrl: null, blocked: false },
  assigneeId: null,
  operatorIds: [],
  teamId: null,
  botId: null,
  lastActivityAt: "2026-05-01T10:00:00.000Z",
  lastMessage: {
    id: "m",
    text: "hi",
    authorType: "contact",
    authorId: null,
    direction: "inbound",
    deliveryState: null,
  },
  lastInboundSeq: 1,
  firstUnansweredAt: "2026-05-01T10:00:00.000Z",
  lastCustomerMessageAt: null,
  closedAt: null,
  source: {},
  createdAt: "2026-05-01T09:00:00.000Z",
  ...over,
});
