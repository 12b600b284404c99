import crypto from "node:crypto";
import {
  type MtprotoClient,
  MtprotoError,
  type TgFile,
  type TgPeer,
  type TgSelf,
  type TlObject,
} from "../../channels/telegram-user/boundary";
import type { Clock } from "../../lib/time";

export interface FakeAccount {
  userId: string;
  phone: string;
  name: string;
  password: string | null;
  hint: string | null;
  lastMessageId: number;
  messages: Map<number, { peer: string; out: boolean; text: string; file?: TgFile }>;
}

/** What a stand-in client reads and changes of the stand-in Telegram (`FakeTelegramCloud` in telegram-user.ts). */
export interface FakeCloudState {
  readonly clock: Clock;
  readonly accounts: Map<string, FakeAccount>;
  readonly keys: Map<string, string | null>;
  readonly codes: Map<string, { phone: string; code: string; issuedAt: number; key: string }>;
  readonly customers: Map<
    string,
    { accessHash: string; firstName: string; lastName?: string; username?: string }
  >;
  readonly calls: Array<{
    method: string;
    account: string;
    peer?: string;
    text?: string;
    replyTo?: number;
    file?: string;
    maxId?: number;
    id?: number;
  }>;
  readonly clients: Set<FakeClient>;
  codeLifetimeMs: number;
  take(method: string): MtprotoError | undefined;
  push(account: FakeAccount, except: FakeClient | null, update: TlObject): void;
}

/** A `Message` in GramJS's shape, in a private chat with `peer`. */
export function message(
  id: number,
  peer: string,
  out: boolean,
  date: number,
  text: string,
  replyTo?: TlObject,
  media?: TlObject,
): TlObject {
  return {
    className: "Message",
    out,
    id,
    peerId: { className: "PeerUser", userId: peer },
    fromId: out ? null : { className: "PeerUser", userId: peer },
    date,
    message: text,
    ...(replyTo ? { replyTo } : {}),
    ...(media ? { media } : {}),
  };
}

/** One stand-in client: what a Parley process holds of an authorization key. */
export class FakeClient implements MtprotoClient {
  private key: string;
  private connected = false;
  listening = false;
  private handler: ((u: TlObject) => void) | null = null;
  private onError: ((err: unknown) => void) | null = null;

  constructor(
    private readonly cloud: FakeCloudState,
    session: string,
    private readonly broken: MtprotoError | null = null,
  ) {
    this.key = session;
  }

  get userId(): string | null {
    return this.cloud.keys.get(this.key) ?? null;
  }

  async connect() {
    if (this.broken) throw this.broken;
    if (!this.key) {
      this.key = `fake-session:${crypto.randomUUID()}`;
      this.cloud.keys.set(this.key, null);
    }
    this.connected = true;
    this.cloud.clients.add(this);
  }
  async disconnect() {
    this.connected = false;
    this.listening = false;
    this.cloud.clients.delete(this);
  }
  session() {
    return this.key;
  }

  private check(method: string) {
    if (!this.connected) throw new Error("not connected");
    if (!this.cloud.keys.has(this.key)) throw new MtprotoError("AUTH_KEY_UNREGISTERED");
    const injected = this.cloud.take(method);
    if (injected) throw injected;
  }
  private account() {
    const userId = this.userId;
    const account = [...this.cloud.accounts.values()].find((a) => a.userId === userId);
    if (!account) throw new MtprotoError("AUTH_KEY_UNREGISTERED");
    return account;
  }
  private self(a: FakeAccount): TgSelf {
    return { userId: a.userId, phone: a.phone.replace(/^\+/, ""), name: a.name, username: null };
  }

  async sendCode(phone: string) {
    this.check("sendCode");
    if (!/^\+?\d{7,15}$/.test(phone)) throw new MtprotoError("PHONE_NUMBER_INVALID");
    if (!this.cloud.accounts.has(phone)) throw new MtprotoError("PHONE_NUMBER_UNOCCUPIED");
    const phoneCodeHash = crypto.randomBytes(8).toString("hex");
    const code = String(crypto.randomInt(10000, 99999));
    this.cloud.codes.set(phoneCodeHash, {
      phone,
      code,
      issuedAt: this.cloud.clock.now().getTime(),
      key: this.key,
    });
    return { phoneCodeHash };
  }

  async signIn(phone: string, phoneCodeHash: string, code: string) {
    this.check("signIn");
    const sent = this.cloud.codes.get(phoneCodeHash);
    if (!sent || sent.phone !== phone || sent.key !== this.key) throw new MtprotoError("PHONE_CODE_EXPIRED");
    if (this.cloud.clock.now().getTime() - sent.issuedAt > this.cloud.codeLifetimeMs)
      throw new MtprotoError("PHONE_CODE_EXPIRED");
    if (code.trim() !== sent.code) throw new MtprotoError("PHONE_CODE_INVALID");
    this.cloud.codes.delete(phoneCodeHash);
    const account = this.cloud.accounts.get(phone)!;
    if (account.password) {
      this.pendingPassword = account;
      throw new MtprotoError("SESSION_PASSWORD_NEEDED");
    }
    this.cloud.keys.set(this.key, account.userId);
    return this.self(account);
  }

  /** The account whose code was right and whose password is asked on this key (kept by Telegram per key). */
  private set pendingPassword(a: FakeAccount) {
    this.cloud.keys.set(this.key, `pending:${a.userId}`);
  }

  async passwordHint() {
    this.check("passwordHint");
    const pending = this.cloud.keys.get(this.key);
    const account = [...this.cloud.accounts.values()].find((a) => `pending:${a.userId}` === pending);
    return account?.hint ?? null;
  }

  async checkPassword(password: string) {
    this.check("checkPassword");
    const pending = this.cloud.keys.get(this.key);
    const account = [...this.cloud.accounts.values()].find((a) => `pending:${a.userId}` === pending);
    if (!account) throw new MtprotoError("AUTH_KEY_UNREGISTERED");
    if (password !== account.password) throw new MtprotoError("PASSWORD_HASH_INVALID");
    this.cloud.keys.set(this.key, account.userId);
    return this.self(account);
  }

  async getMe() {
    this.check("getMe");
    return this.self(this.account());
  }

  private peer(peer: TgPeer) {
    const c = this.cloud.customers.get(peer.userId);
    if (!c || c.accessHash !== peer.accessHash) throw new MtprotoError("PEER_ID_INVALID");
  }

  private sent(a: FakeAccount, peer: TgPeer, text: string, file?: TgFile, replyTo?: number) {
    const id = ++a.lastMessageId;
    const date = Math.floor(this.cloud.clock.now().getTime() / 1000);
    a.messages.set(id, { peer: peer.userId, out: true, text, ...(file ? { file } : {}) });
    this.cloud.push(a, this, {
      className: "UpdateShort",
      update: {
        className: "UpdateNewMessage",
        message: message(
          id,
          peer.userId,
          true,
          date,
          text,
          replyTo ? { className: "MessageReplyHeader", replyToMsgId: replyTo } : undefined,
        ),
        pts: id,
        ptsCount: 1,
      },
      date,
    });
    return { id };
  }

  async sendMessage(peer: TgPeer, text: string, replyToMsgId?: number) {
    this.check("sendMessage");
    const a = this.account();
    this.peer(peer);
    if (text.length > 4096) throw new MtprotoError("MESSAGE_TOO_LONG");
    const r = this.sent(a, peer, text, undefined, replyToMsgId);
    this.cloud.calls.push({
      method: "sendMessage",
      account: a.userId,
      peer: peer.userId,
      text,
      id: r.id,
      ...(replyToMsgId ? { replyTo: replyToMsgId } : {}),
    });
    return r;
  }

  async sendMedia(peer: TgPeer, file: TgFile, caption: string, replyToMsgId?: number) {
    this.check("sendMedia");
    const a = this.account();
    this.peer(peer);
    const r = this.sent(a, peer, caption, file, replyToMsgId);
    this.cloud.calls.push({
      method: "sendMedia",
      account: a.userId,
      peer: peer.userId,
      text: caption,
      file: file.name,
      id: r.id,
    });
    return r;
  }

  async readHistory(peer: TgPeer, maxId: number) {
    this.check("readHistory");
    const a = this.account();
    this.peer(peer);
    this.cloud.calls.push({ method: "readHistory", account: a.userId, peer: peer.userId, maxId });
  }

  async downloadMedia(peer: TgPeer, messageId: number) {
    this.check("downloadMedia");
    const a = this.account();
    this.peer(peer);
    const m = a.messages.get(messageId);
    return m && m.peer === peer.userId && m.file ? m.file.data : null;
  }

  onUpdate(handler: (u: TlObject) => void, onError: (err: unknown) => void) {
    this.handler = handler;
    this.onError = onError;
    this.listening = true;
  }

  deliver(update: TlObject) {
    // Asynchronously, as updates arrive from the network.
    setImmediate(() => this.handler?.(structuredClone(update)));
  }

  fail(err: MtprotoError) {
    const onError = this.onError;
    this.listening = false;
    setImmediate(() => onError?.(err));
  }
}
