import type { TlObject } from "../../channels/telegram-user/boundary";

/**
 * Update objects in the shapes GramJS delivers them (its `Api.*` classes: `className` plus the constructor's
 * fields, long ids as decimal strings where GramJS holds big integers), taken from a personal account's private
 * chats. `gramjs.test.ts` rebuilds each as the real GramJS class and checks the mapping is the same.
 */
export const CUSTOMER = { id: "5566778899", accessHash: "-4211239823344512341" };
export const ACCOUNT_ID = "1234567";

const customerUser = {
  className: "User",
  id: CUSTOMER.id,
  accessHash: CUSTOMER.accessHash,
  firstName: "Олена",
  lastName: "Коваль",
  username: "olena_k",
  phone: "380501234567",
  self: false,
  bot: false,
};

const peer = { className: "PeerUser", userId: CUSTOMER.id };

export const FIXTURES = {
  /** A first message from a customer: the container carries the user with their access hash. */
  newMessage: {
    className: "Updates",
    updates: [
      {
        className: "UpdateNewMessage",
        message: {
          className: "Message",
          out: false,
          id: 501,
          fromId: peer,
          peerId: peer,
          date: 1_733_000_000,
          message: "Добрий день! Чи є доставка у Львів?",
        },
        pts: 9001,
        ptsCount: 1,
      },
    ],
    users: [customerUser],
    chats: [],
    date: 1_733_000_000,
    seq: 0,
  },
  /** A short incoming message (no container, no access hash), replying to our message 502. */
  shortMessage: {
    className: "UpdateShortMessage",
    out: false,
    id: 503,
    userId: CUSTOMER.id,
    message: "Дякую, чекаю",
    pts: 9003,
    ptsCount: 1,
    date: 1_733_000_100,
    replyTo: { className: "MessageReplyHeader", replyToMsgId: 502 },
  },
  /** A photo with a caption. */
  photo: {
    className: "Updates",
    updates: [
      {
        className: "UpdateNewMessage",
        message: {
          className: "Message",
          out: false,
          id: 504,
          fromId: peer,
          peerId: peer,
          date: 1_733_000_200,
          message: "Ось фото",
          media: {
            className: "MessageMediaPhoto",
            photo: {
              className: "Photo",
              id: "5012345678901234567",
              accessHash: "1",
              fileReference: [],
              date: 1_733_000_200,
              sizes: [],
              dcId: 2,
            },
          },
        },
        pts: 9004,
        ptsCount: 1,
      },
    ],
    users: [customerUser],
    chats: [],
    date: 1_733_000_200,
    seq: 0,
  },
  /** A document (PDF) with its file name attribute. */
  document: {
    className: "UpdateShort",
    update: {
      className: "UpdateNewMessage",
      message: {
        className: "Message",
        out: false,
        id: 505,
        fromId: peer,
        peerId: peer,
        date: 1_733_000_300,
        message: "",
        media: {
          className: "MessageMediaDocument",
          document: {
            className: "Document",
            id: "5098765432109876543",
            accessHash: "2",
            fileReference: [],
            date: 1_733_000_300,
            mimeType: "application/pdf",
            size: "48213",
            dcId: 2,
            attributes: [{ className: "DocumentAttributeFilename", fileName: "invoice-77.pdf" }],
          },
        },
      },
      pts: 9005,
      ptsCount: 1,
    },
    date: 1_733_000_300,
  },
  /** The customer edited message 501. */
  edit: {
    className: "UpdateShort",
    update: {
      className: "UpdateEditMessage",
      message: {
        className: "Message",
        out: false,
        id: 501,
        fromId: peer,
        peerId: peer,
        date: 1_733_000_000,
        editDate: 1_733_000_400,
        message: "Добрий день! Чи є доставка у Львів і Тернопіль?",
      },
      pts: 9006,
      ptsCount: 1,
    },
    date: 1_733_000_400,
  },
  /** Our message 502, seen in the account's update stream (sent by another session of the account). */
  outgoing: {
    className: "UpdateShort",
    update: {
      className: "UpdateNewMessage",
      message: {
        className: "Message",
        out: true,
        id: 502,
        peerId: peer,
        date: 1_733_000_050,
        message: "Так, є",
      },
      pts: 9002,
      ptsCount: 1,
    },
    date: 1_733_000_050,
  },
  /** The customer read our messages up to 502. */
  readOutbox: {
    className: "UpdateShort",
    update: { className: "UpdateReadHistoryOutbox", peer, maxId: 502, pts: 9007, ptsCount: 1 },
    date: 1_733_000_500,
  },
  /** Read on another of the account's devices: not the customer's doing, ignored. */
  readInbox: {
    className: "UpdateShort",
    update: {
      className: "UpdateReadHistoryInbox",
      peer,
      maxId: 505,
      stillUnreadCount: 0,
      pts: 9008,
      ptsCount: 1,
    },
    date: 1_733_000_600,
  },
  /** A message in a group chat: left out (private chats only). */
  groupMessage: {
    className: "UpdateShort",
    update: {
      className: "UpdateNewMessage",
      message: {
        className: "Message",
        out: false,
        id: 506,
        fromId: peer,
        peerId: { className: "PeerChat", chatId: "777" },
        date: 1_733_000_700,
        message: "hi all",
      },
      pts: 9009,
      ptsCount: 1,
    },
    date: 1_733_000_700,
  },
} satisfies Record<string, TlObject>;
