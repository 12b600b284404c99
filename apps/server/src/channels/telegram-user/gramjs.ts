import crypto from "node:crypto";
import type { Api as ApiNs, TelegramClient } from "telegram";
import type { LogLevel } from "telegram/extensions/Logger";
import {
  type MtprotoClient,
  MtprotoError,
  type MtprotoFactory,
  type TgFile,
  type TgPeer,
  type TgSelf,
  type TlObject,
} from "./boundary";

/**
 * The real MTProto boundary: GramJS (the `telegram` package, pure JavaScript, runs on Node 20 with no native
 * build). Loaded on first use, so a server with no personal Telegram connection never loads it.
 */
type Lib = typeof import("telegram");
let loaded: Promise<Lib> | null = null;
export function gramjs(): Promise<Lib> {
  loaded ??= import("telegram").then((m) =>
    (m as Lib).TelegramClient ? (m as Lib) : (m as { default: Lib }).default,
  );
  return loaded;
}

/** GramJS's RPC errors as the boundary's: `FloodWaitError` keeps its seconds; others Telegram's own words. */
export function toMtprotoError(err: unknown): unknown {
  if (err instanceof MtprotoError) return err;
  const e = err as { errorMessage?: unknown; seconds?: unknown; constructor?: { name?: string } };
  const name = e?.constructor?.name ?? "";
  if (typeof e?.seconds === "number" && /Flood|SlowMode/i.test(name))
    return new MtprotoError(/SlowMode/i.test(name) ? "SLOWMODE_WAIT" : "FLOOD_WAIT", e.seconds);
  if (typeof e?.errorMessage === "string" && /^[A-Z0-9_]+$/.test(e.errorMessage))
    return MtprotoError.fromTelegram(e.errorMessage);
  return err;
}

/** The id of the message a send created, from whatever `Updates` Telegram answered with. */
export function sentMessageId(result: unknown, randomId: string): number {
  const r = result as TlObject;
  if (r?.className === "UpdateShortSentMessage") return Number(r.id);
  const updates = Array.isArray(r?.updates)
    ? (r.updates as TlObject[])
    : r?.update
      ? [r.update as TlObject]
      : [];
  const byRandom = updates.find((u) => u.className === "UpdateMessageID" && String(u.randomId) === randomId);
  if (byRandom) return Number(byRandom.id);
  const created = updates.find((u) => u.className === "UpdateNewMessage");
  if (created) return Number((created.message as TlObject).id);
  throw new MtprotoError("UNKNOWN_SEND_RESULT");
}

/**
 * GramJS hands the Raw handler each update on its own, with the users of its `Updates` container in
 * `_entities`: put them back into an `Updates` envelope, the shape `updates.ts` maps.
 */
export function envelopeOf(update: TlObject): TlObject {
  const entities = (update as { _entities?: Map<unknown, unknown> })._entities;
  const users = entities ? [...entities.values()].filter((u) => (u as TlObject)?.className === "User") : [];
  // Containers and short updates are mapped as they are; a single update goes back into a container.
  if (update.className.startsWith("Updates") || update.className.startsWith("UpdateShort")) return update;
  return { className: "Updates", updates: [update], users, chats: [] };
}

function self(u: unknown): TgSelf {
  const user = u as ApiNs.User;
  return {
    userId: String(user.id),
    phone: user.phone ?? null,
    name: [user.firstName, user.lastName].filter(Boolean).join(" ") || (user.username ?? ""),
    username: user.username ?? null,
  };
}

const randomLong = () => crypto.randomBytes(8).readBigInt64LE().toString();

export class GramjsClient implements MtprotoClient {
  constructor(
    private readonly client: TelegramClient,
    private readonly lib: Lib,
    private readonly options: { apiId: number; apiHash: string },
  ) {}

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toMtprotoError(err);
    }
  }

  private input(peer: TgPeer) {
    const big = this.lib.helpers.returnBigInt;
    return new this.lib.Api.InputPeerUser({ userId: big(peer.userId), accessHash: big(peer.accessHash) });
  }

  private reply(replyToMsgId?: number) {
    return replyToMsgId ? new this.lib.Api.InputReplyToMessage({ replyToMsgId }) : undefined;
  }

  connect() {
    return this.call(async () => {
      await this.client.connect();
    });
  }
  async disconnect() {
    await this.client.destroy().catch(() => {});
  }
  session(): string {
    return (this.client.session as unknown as { save(): string }).save();
  }

  sendCode(phone: string) {
    return this.call(async () => {
      const r = await this.client.invoke(
        new this.lib.Api.auth.SendCode({
          phoneNumber: phone,
          apiId: this.options.apiId,
          apiHash: this.options.apiHash,
          settings: new this.lib.Api.CodeSettings({}),
        }),
      );
      if (!("phoneCodeHash" in r)) throw new MtprotoError("SIGN_IN_COMPLETED");
      return { phoneCodeHash: r.phoneCodeHash };
    });
  }

  signIn(phone: string, phoneCodeHash: string, code: string) {
    return this.call(async () => {
      const r = await this.client.invoke(
        new this.lib.Api.auth.SignIn({ phoneNumber: phone, phoneCodeHash, phoneCode: code }),
      );
      if (r instanceof this.lib.Api.auth.AuthorizationSignUpRequired)
        throw new MtprotoError("PHONE_NUMBER_UNOCCUPIED");
      return self(r.user);
    });
  }

  passwordHint() {
    return this.call(async () => {
      const p = await this.client.invoke(new this.lib.Api.account.GetPassword());
      return p.hint ?? null;
    });
  }

  checkPassword(password: string) {
    return this.call(async () => {
      const p = await this.client.invoke(new this.lib.Api.account.GetPassword());
      const proof = await this.lib.password.computeCheck(p, password);
      const r = await this.client.invoke(new this.lib.Api.auth.CheckPassword({ password: proof }));
      if (r instanceof this.lib.Api.auth.AuthorizationSignUpRequired)
        throw new MtprotoError("PHONE_NUMBER_UNOCCUPIED");
      return self(r.user);
    });
  }

  getMe() {
    return this.call(async () => self(await this.client.getMe()));
  }

  sendMessage(peer: TgPeer, text: string, replyToMsgId?: number) {
    return this.call(async () => {
      const randomId = randomLong();
      const r = await this.client.invoke(
        new this.lib.Api.messages.SendMessage({
          peer: this.input(peer),
          message: text,
          randomId: this.lib.helpers.returnBigInt(randomId),
          replyTo: this.reply(replyToMsgId),
        }),
      );
      return { id: sentMessageId(r, randomId) };
    });
  }

  sendMedia(peer: TgPeer, file: TgFile, caption: string, replyToMsgId?: number) {
    return this.call(async () => {
      const { CustomFile } = await import("telegram/client/uploads.js");
      const uploaded = await this.client.uploadFile({
        file: new CustomFile(file.name, file.data.length, "", file.data),
        workers: 1,
      });
      const Api = this.lib.Api;
      const media =
        file.mimeType.startsWith("image/") && file.mimeType !== "image/gif"
          ? new Api.InputMediaUploadedPhoto({ file: uploaded })
          : new Api.InputMediaUploadedDocument({
              file: uploaded,
              mimeType: file.mimeType,
              attributes: [new Api.DocumentAttributeFilename({ fileName: file.name })],
            });
      const randomId = randomLong();
      const r = await this.client.invoke(
        new Api.messages.SendMedia({
          peer: this.input(peer),
          media,
          message: caption,
          randomId: this.lib.helpers.returnBigInt(randomId),
          replyTo: this.reply(replyToMsgId),
        }),
      );
      return { id: sentMessageId(r, randomId) };
    });
  }

  readHistory(peer: TgPeer, maxId: number) {
    return this.call(async () => {
      await this.client.invoke(new this.lib.Api.messages.ReadHistory({ peer: this.input(peer), maxId }));
    });
  }

  downloadMedia(peer: TgPeer, messageId: number) {
    return this.call(async () => {
      const [m] = await this.client.getMessages(this.input(peer), { ids: [messageId] });
      if (!m?.media) return null;
      const data = await this.client.downloadMedia(m, {});
      return Buffer.isBuffer(data) ? data : null;
    });
  }

  onUpdate(handler: (update: TlObject) => void, onError: (err: unknown) => void) {
    // Without an event builder GramJS hands over every raw update.
    this.client.addEventHandler((update: unknown) => handler(envelopeOf(update as TlObject)));
    this.client.onError = async (err) => onError(toMtprotoError(err));
  }
}

/** The production factory: a GramJS client over a `StringSession`, quiet (Parley logs what matters). */
export function gramjsMtproto(): MtprotoFactory {
  return {
    create(options) {
      let real: GramjsClient | null = null;
      const ready = async () => {
        if (real) return real;
        const lib = await gramjs();
        const client = new lib.TelegramClient(
          new lib.sessions.StringSession(options.session),
          options.apiId,
          options.apiHash,
          {
            connectionRetries: 3,
            autoReconnect: true,
            baseLogger: new lib.Logger("none" as LogLevel),
          },
        );
        real = new GramjsClient(client, lib, options);
        return real;
      };
      // The library loads on the first call (connect); every method waits for it.
      const lazy = {} as MtprotoClient;
      for (const method of [
        "connect",
        "disconnect",
        "sendCode",
        "signIn",
        "passwordHint",
        "checkPassword",
        "getMe",
        "sendMessage",
        "sendMedia",
        "readHistory",
        "downloadMedia",
      ] as const)
        (lazy as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) =>
          ((await ready()) as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
      lazy.session = () => (real ? real.session() : options.session);
      lazy.onUpdate = (handler, onError) => {
        if (!real) throw new Error("connect first");
        real.onUpdate(handler, onError);
      };
      return lazy;
    },
  };
}
