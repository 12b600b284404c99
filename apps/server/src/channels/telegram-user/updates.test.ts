import { describe, expect, it } from "vitest";
import { CUSTOMER, FIXTURES } from "../../testing/fakes/telegram-user-fixtures";
import { mapUpdates, type TgUser, toInbound } from "./updates";

const now = new Date(1_733_001_000_000);
const inbound = (u: (typeof FIXTURES)[keyof typeof FIXTURES]) => {
  const { events, users } = mapUpdates(u);
  return toInbound(events, new Map<string, TgUser>(users.map((x) => [x.userId, x])), now);
};

describe("personal Telegram updates → Parley's inbound events", () => {
  it("a customer's first message: the message, their name, and the access hash to answer them", () => {
    const { users } = mapUpdates(FIXTURES.newMessage);
    expect(users).toEqual([
      {
        userId: CUSTOMER.id,
        accessHash: CUSTOMER.accessHash,
        name: "Олена Коваль",
        username: "olena_k",
        phone: "+380501234567",
        bot: false,
      },
    ]);
    expect(inbound(FIXTURES.newMessage)).toEqual([
      {
        kind: "message",
        providerMessageId: "501",
        externalContactId: CUSTOMER.id,
        contact: { name: "Олена Коваль", nickname: "olena_k", phone: "+380501234567" },
        text: "Добрий день! Чи є доставка у Львів?",
        attachments: [],
        quotedProviderMessageId: null,
        at: new Date(1_733_000_000_000),
      },
    ]);
  });

  it("a short message keeps its reply; an edit becomes a new message quoting the original", () => {
    expect(inbound(FIXTURES.shortMessage)).toMatchObject([
      { kind: "message", providerMessageId: "503", quotedProviderMessageId: "502", text: "Дякую, чекаю" },
    ]);
    expect(inbound(FIXTURES.edit)).toMatchObject([
      {
        kind: "message",
        providerMessageId: "501:edit:1733000400",
        quotedProviderMessageId: "501",
        text: "Добрий день! Чи є доставка у Львів і Тернопіль?",
        at: new Date(1_733_000_400_000),
      },
    ]);
  });

  it("photos and documents wait for the media job, with the message as the reference", () => {
    const [photo] = inbound(FIXTURES.photo);
    expect(photo).toMatchObject({
      text: "Ось фото",
      attachments: [{ mimeType: "image/jpeg", state: "downloading" }],
    });
    const [doc] = inbound(FIXTURES.document);
    expect(doc).toMatchObject({
      text: null,
      attachments: [
        {
          name: "invoice-77.pdf",
          mimeType: "application/pdf",
          size: 48213,
          state: "downloading",
          pending: { source: { userId: CUSTOMER.id, messageId: "505" }, maxBytes: 50 * 1024 * 1024 },
        },
      ],
    });
  });

  it("our own message in the stream is Telegram's confirmation; an outbox read is a read watermark", () => {
    expect(inbound(FIXTURES.outgoing)).toEqual([
      { kind: "status", providerMessageId: "502", state: "delivered", at: now },
    ]);
    expect(inbound(FIXTURES.readOutbox)).toEqual([
      { kind: "read_watermark", externalContactId: CUSTOMER.id, upTo: { providerMessageId: "502" }, at: now },
    ]);
  });

  it("reads on the account's other devices and group chats are left out", () => {
    expect(inbound(FIXTURES.readInbox)).toEqual([]);
    expect(inbound(FIXTURES.groupMessage)).toEqual([]);
  });
});
