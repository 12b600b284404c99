import crypto from "node:crypto";
import {
  type MtprotoClient,
  MtprotoError,
  type MtprotoFactory,
  type TgFile,
  type TlObject,
} from "../../channels/telegram-user/boundary";
import type { Clock } from "../../lib/time";
import { type FakeAccount, FakeClient, type FakeCloudState, message } from "./telegram-user-client";

export type { FakeAccount } from "./telegram-user-client";

/**
 * A local stand-in of Telegram's user API behind Parley's MTProto boundary (`channels/telegram-user/boundary.ts`),
 * behaving like Telegram where Parley depends on it: login codes that expire (PHONE_CODE_EXPIRED) or are wrong
 * (PHONE_CODE_INVALID), cloud passwords (SESSION_PASSWORD_NEEDED, PASSWORD_HASH_INVALID), flood waits
 * (FLOOD_WAIT_X), sessions that can be revoked (AUTH_KEY_UNREGISTERED, also pushed to connected clients),
 * access hashes per peer (PEER_ID_INVALID), one message-id sequence per account, updates pushed to every
 * connected session of the account but the one that sent, `updateReadHistoryOutbox` when a customer reads.
 * Updates are plain objects in the library's TL shapes (`className` + fields). One instance may serve several
 * Parley servers in a test (as Telegram serves several processes).
 */
export class FakeTelegramCloud implements MtprotoFactory, FakeCloudState {
  readonly accounts = new Map<string, FakeAccount>();
  /** Authorization keys: session string → the signed-in account's user id (null while signing in). */
  readonly keys = new Map<string, string | null>();
  readonly codes = new Map<string, { phone: string; code: string; issuedAt: number; key: string }>();
  readonly customers = new Map<
    string,
    { accessHash: string; firstName: string; lastName?: string; username?: string }
  >();
  /** Every send and read-history call, in order. */
  readonly calls: Array<{
    method: string;
    account: string;
    peer?: string;
    text?: string;
    replyTo?: number;
    file?: string;
    maxId?: number;
    id?: number;
  }> = [];
  readonly clients = new Set<FakeClient>();
  /** The next call of this method (any account) fails with this error. */
  private readonly injected = new Map<string, MtprotoError[]>();
  codeLifetimeMs = 5 * 60_000;
  private nextUser = 7_000_000;

  constructor(readonly clock: Clock) {}

  create(options: { apiId: number; apiHash: string; session: string }): MtprotoClient {
    if (!Number.isInteger(options.apiId) || options.apiId <= 0 || !/^[0-9a-f]{32}$/.test(options.apiHash))
      return new FakeClient(this, "", new MtprotoError("API_ID_INVALID"));
    return new FakeClient(this, options.session);
  }

  /** A Telegram account that can sign in (with a cloud password when `password` is given). */
  addAccount(phone: string, opts: { password?: string; hint?: string; name?: string } = {}): FakeAccount {
    const account: FakeAccount = {
      userId: String(++this.nextUser),
      phone,
      name: opts.name ?? "Manager",
      password: opts.password ?? null,
      hint: opts.hint ?? null,
      lastMessageId: 100,
      messages: new Map(),
    };
    this.accounts.set(phone, account);
    return account;
  }

  /** A customer (another Telegram user) with an access hash of their own. */
  addCustomer(firstName: string, username?: string): { userId: string; accessHash: string } {
    const userId = String(++this.nextUser);
    const accessHash = String(BigInt.asIntN(64, BigInt(`0x${crypto.randomBytes(8).toString("hex")}`)));
    this.customers.set(userId, { accessHash, firstName, ...(username ? { username } : {}) });
    return { userId, accessHash };
  }

  inject(method: string, error: MtprotoError) {
    this.injected.set(method, [...(this.injected.get(method) ?? []), error]);
  }

  /** The login code Telegram sent for this phone number (what the person reads in their app). */
  lastCode(phone: string): string {
    const found = [...this.codes.values()].filter((c) => c.phone === phone).at(-1);
    if (!found) throw new Error(`no code was sent to ${phone}`);
    return found.code;
  }

  /** Ends every authorization of the account (as "Terminate all sessions" does), telling connected clients. */
  revoke(account: FakeAccount) {
    const connected = [...this.clients].filter((c) => c.userId === account.userId);
    for (const [key, userId] of this.keys) if (userId === account.userId) this.keys.delete(key);
    for (const c of connected) c.fail(new MtprotoError("AUTH_KEY_UNREGISTERED"));
  }

  /** Connected clients of the account that listen for updates. */
  listeners(account: FakeAccount): FakeClient[] {
    return [...this.clients].filter((c) => c.userId === account.userId && c.listening);
  }

  /** A customer writes to the account (optionally with a file or as a reply); returns the message id. */
  customerSends(
    account: FakeAccount,
    customerId: string,
    text: string,
    opts: { replyTo?: number; file?: TgFile; short?: boolean } = {},
  ): number {
    const id = ++account.lastMessageId;
    const date = Math.floor(this.clock.now().getTime() / 1000);
    account.messages.set(id, {
      peer: customerId,
      out: false,
      text,
      ...(opts.file ? { file: opts.file } : {}),
    });
    const customer = this.customers.get(customerId)!;
    const replyTo = opts.replyTo
      ? { className: "MessageReplyHeader", replyToMsgId: opts.replyTo }
      : undefined;
    if (opts.short) {
      this.push(account, null, {
        className: "UpdateShortMessage",
        out: false,
        id,
        userId: customerId,
        message: text,
        pts: id,
        ptsCount: 1,
        date,
        ...(replyTo ? { replyTo } : {}),
      });
      return id;
    }
    const media = opts.file
      ? {
          className: "MessageMediaDocument",
          document: {
            className: "Document",
            id: String(id * 1000),
            mimeType: opts.file.mimeType,
            size: opts.file.data.length,
            attributes: [{ className: "DocumentAttributeFilename", fileName: opts.file.name }],
          },
        }
      : undefined;
    this.push(account, null, {
      className: "Updates",
      updates: [
        {
          className: "UpdateNewMessage",
          message: message(id, customerId, false, date, text, replyTo, media),
          pts: id,
          ptsCount: 1,
        },
      ],
      users: [userObject(customerId, customer)],
      chats: [],
      date,
      seq: 0,
    });
    return id;
  }

  /** The customer edits a message they sent. */
  customerEdits(account: FakeAccount, customerId: string, id: number, text: string) {
    const date = Math.floor(this.clock.now().getTime() / 1000);
    const m = account.messages.get(id);
    if (m) m.text = text;
    this.push(account, null, {
      className: "UpdateShort",
      update: {
        className: "UpdateEditMessage",
        message: { ...message(id, customerId, false, date - 1, text), editDate: date },
        pts: id,
        ptsCount: 1,
      },
      date,
    });
  }

  /** The customer opened the chat: everything the account sent them up to `maxId` is read. */
  customerReads(account: FakeAccount, customerId: string, maxId: number) {
    this.push(account, null, {
      className: "UpdateShort",
      update: {
        className: "UpdateReadHistoryOutbox",
        peer: { className: "PeerUser", userId: customerId },
        maxId,
        pts: maxId,
        ptsCount: 1,
      },
      date: Math.floor(this.clock.now().getTime() / 1000),
    });
  }

  push(account: FakeAccount, except: FakeClient | null, update: TlObject) {
    for (const c of this.listeners(account)) if (c !== except) c.deliver(update);
  }

  take(method: string): MtprotoError | undefined {
    const list = this.injected.get(method);
    const e = list?.shift();
    if (list && list.length === 0) this.injected.delete(method);
    return e;
  }
}

function userObject(
  id: string,
  c: { accessHash: string; firstName: string; lastName?: string; username?: string },
): TlObject {
  return {
    className: "User",
    id,
    accessHash: c.accessHash,
    firstName: c.firstName,
    ...(c.lastName ? { lastName: c.lastName } : {}),
    ...(c.username ? { username: c.username } : {}),
  };
}
