/**
 * The thin boundary between Parley and the MTProto client library: everything Parley asks of a Telegram user
 * account. The real implementation (`gramjs.ts`) calls GramJS (the `telegram` package); tests use a local
 * stand-in of Telegram behind the same interface (`testing/fakes/telegram-user.ts`). Everything above it — the
 * sign-in steps, the update mapping, sending, receipts, the lease — is Parley's code and is tested as it is.
 *
 * Updates are handed over in the library's own TL object shapes (`className` plus fields, as GramJS's `Api.*`
 * classes carry them), and `updates.ts` maps them; ids may be numbers, strings or big integers.
 */

/** A user id or access hash as the library gives it (GramJS: a big-integer object); read with String(). */
export type TlLong = number | string | bigint | { toString(): string };

/** A TL object as the library hands it over: its constructor name and fields. */
export interface TlObject {
  className: string;
  [field: string]: unknown;
}

/** The account that signed in. */
export interface TgSelf {
  userId: string;
  phone: string | null;
  name: string;
  username: string | null;
}

/** A private chat's other side: the user id and the access hash Telegram gave this account for them. */
export interface TgPeer {
  userId: string;
  accessHash: string;
}

export interface TgFile {
  name: string;
  mimeType: string;
  data: Buffer;
}

/**
 * An RPC error as Telegram names it (`PHONE_CODE_EXPIRED`, `FLOOD_WAIT_30` → code `FLOOD_WAIT`, seconds 30,
 * `AUTH_KEY_UNREGISTERED`, `SESSION_PASSWORD_NEEDED`, …). Both implementations throw this type.
 */
export class MtprotoError extends Error {
  constructor(
    public readonly code: string,
    public readonly seconds: number | null = null,
    message?: string,
  ) {
    super(message ?? (seconds !== null ? `${code}_${seconds}` : code));
  }
  /** From Telegram's error message: `FLOOD_WAIT_30` → (`FLOOD_WAIT`, 30). */
  static fromTelegram(errorMessage: string): MtprotoError {
    const m = /^([A-Z_]+?)_(\d+)$/.exec(errorMessage);
    return m ? new MtprotoError(m[1]!, Number(m[2])) : new MtprotoError(errorMessage);
  }
}

/** Codes that mean the authorization is gone: the account must sign in again. */
export const REVOKED_CODES = new Set([
  "AUTH_KEY_UNREGISTERED",
  "SESSION_REVOKED",
  "SESSION_EXPIRED",
  "USER_DEACTIVATED",
  "USER_DEACTIVATED_BAN",
  "AUTH_KEY_DUPLICATED",
]);

export const isRevoked = (err: unknown) => err instanceof MtprotoError && REVOKED_CODES.has(err.code);

export interface MtprotoClient {
  /** Opens the connection (a new authorization key when the session is empty). */
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** The session string: the authorization key and data centre, to store sealed and resume with. */
  session(): string;
  /** `auth.sendCode`: Telegram sends a login code to the account's apps or by SMS. */
  sendCode(phone: string): Promise<{ phoneCodeHash: string }>;
  /** `auth.signIn`; throws `SESSION_PASSWORD_NEEDED` when the account has a cloud password. */
  signIn(phone: string, phoneCodeHash: string, code: string): Promise<TgSelf>;
  /** The account's password hint, when a cloud password is set (`account.getPassword`). */
  passwordHint(): Promise<string | null>;
  /** `auth.checkPassword` with the SRP proof the library computes from the password. */
  checkPassword(password: string): Promise<TgSelf>;
  /** `users.getSelf`: also how a stored session is checked (revoked → AUTH_KEY_UNREGISTERED). */
  getMe(): Promise<TgSelf>;
  /** `messages.sendMessage`; returns the new message's id. */
  sendMessage(peer: TgPeer, text: string, replyToMsgId?: number): Promise<{ id: number }>;
  /** `messages.sendMedia` with an uploaded file; returns the new message's id. */
  sendMedia(peer: TgPeer, file: TgFile, caption: string, replyToMsgId?: number): Promise<{ id: number }>;
  /** `messages.readHistory`: the customer sees their messages up to `maxId` read. */
  readHistory(peer: TgPeer, maxId: number): Promise<void>;
  /** The file of a message in a private chat (`messages.getMessages` then download); null when it has none. */
  downloadMedia(peer: TgPeer, messageId: number): Promise<Buffer | null>;
  /**
   * Every update the account receives, as the library's TL objects (`Updates`, `UpdateShortMessage`,
   * `UpdateShort`, `UpdatesCombined`, …); `onError` gets failures of the update stream (a revoked session).
   */
  onUpdate(handler: (update: TlObject) => void, onError: (err: unknown) => void): void;
}

/** Creates clients: one per connection (or sign-in) and process. */
export interface MtprotoFactory {
  create(options: { apiId: number; apiHash: string; session: string }): MtprotoClient;
}
