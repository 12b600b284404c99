import { TELEGRAM_USER_CAPABILITIES } from "@parley/protocol";
import type { Db } from "../../db/client";
import { AppError } from "../../lib/errors";
import type { AdapterContext, ChannelAdapter, ConnectionInfo, OutgoingMessage } from "../types";
import { ChannelSendError, ChannelSetupError } from "../types";
import { isRevoked, type MtprotoClient, type MtprotoFactory, type TgPeer } from "./boundary";
import { sendError } from "./errors";
import { type TelegramUserCredentials, TelegramUserSettings } from "./payloads";

type Connection = ConnectionInfo<TelegramUserCredentials, TelegramUserSettings>;

/** The access hash this account was given for a user (kept from their updates). */
export async function peerOf(db: Db, connectionId: string, userId: string): Promise<TgPeer> {
  const [row] = await db.query<{ access_hash: string }>(
    "select access_hash from telegram_user_peers where connection_id = $1 and user_id = $2",
    [connectionId, userId],
  );
  if (!row)
    throw new ChannelSendError(
      "not_permitted",
      "Telegram has not introduced this customer to the account yet: wait for them to write.",
      false,
    );
  return { userId, accessHash: row.access_hash };
}

export interface TelegramUserAdapter extends ChannelAdapter<TelegramUserCredentials, TelegramUserSettings> {
  mtproto: MtprotoFactory;
}

/**
 * A personal Telegram account (R452) through the user API. Not connected with the generic form: the admin signs
 * in step by step (`modules/telegram-user`). Updates arrive over the session a worker holds under a lease
 * (`runner.ts`), never through the webhook URL. Sending (and marking read, downloading files) opens a short
 * connection of its own with the same authorization from whichever worker runs the job: Telegram allows several
 * sessions of one authorization key, and shows the sent message to the account's other sessions — the held
 * one reports it as "delivered".
 */
export function telegramUserChannel(mtproto: MtprotoFactory): TelegramUserAdapter {
  async function withClient<T>(c: Connection, fn: (client: MtprotoClient) => Promise<T>): Promise<T> {
    const client = mtproto.create({
      apiId: c.credentials.apiId,
      apiHash: c.credentials.apiHash,
      session: c.credentials.session,
    });
    try {
      await client.connect();
      return await fn(client);
    } finally {
      await client.disconnect().catch(() => {});
    }
  }

  async function fileOf(db: Db, ctx: AdapterContext, workspaceId: string, url: string) {
    const fileId = /^\/api\/files\/([0-9a-f-]{36})$/.exec(url)?.[1];
    const [file] = fileId
      ? await db.query<{ storage_key: string }>(
          "select storage_key from files where id = $1 and workspace_id = $2",
          [fileId, workspaceId],
        )
      : [];
    if (!file) throw new ChannelSendError("attachment_rejected", "The file to send is gone.", false);
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.blobs.get(file.storage_key)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }

  async function send(c: Connection, m: OutgoingMessage, ctx: AdapterContext) {
    const peer = await peerOf(ctx.db, c.id, m.externalContactId);
    const replyTo = m.quotedProviderMessageId ? Number.parseInt(m.quotedProviderMessageId, 10) : undefined;
    const quote = Number.isFinite(replyTo) ? replyTo : undefined;
    try {
      return await withClient(c, async (client) => {
        const a = m.attachments[0];
        if (a) {
          const data = await fileOf(ctx.db, ctx, c.workspaceId, a.url);
          const r = await client.sendMedia(
            peer,
            { name: a.name, mimeType: a.mimeType, data },
            m.text ?? "",
            quote,
          );
          return { providerMessageId: String(r.id) };
        }
        const r = await client.sendMessage(peer, m.text ?? "", quote);
        return { providerMessageId: String(r.id) };
      });
    } catch (err) {
      if (err instanceof ChannelSendError) throw err;
      throw sendError(err);
    }
  }

  return {
    type: "telegram_user",
    capabilities: TELEGRAM_USER_CAPABILITIES,
    settingsSchema: TelegramUserSettings,
    mtproto,
    createCredentials() {
      throw new AppError(
        "bad_request",
        "A personal Telegram account is connected by signing in with its phone number (POST /api/telegram-user/logins), not with this form.",
      );
    },
    // Updates come over the held MTProto session, never through the webhook URL.
    verify: () => false,
    parse() {
      throw new AppError(
        "bad_request",
        "Personal Telegram connections receive updates over MTProto, not webhooks.",
      );
    },
    async activate(c) {
      try {
        await withClient(c, (client) => client.getMe());
      } catch (err) {
        if (isRevoked(err))
          throw new ChannelSetupError("Telegram ended this session: sign in again with the phone number.");
        throw err;
      }
    },
    send,
    async markSeen(c, target, ctx) {
      const peer = await peerOf(ctx.db, c.id, target.externalContactId);
      const maxId = Number.parseInt(target.providerMessageId, 10);
      if (!Number.isFinite(maxId)) return; // an edit's key: the original message was marked already
      try {
        await withClient(c, (client) => client.readHistory(peer, maxId));
      } catch (err) {
        throw err instanceof ChannelSendError ? err : sendError(err);
      }
    },
    async resolveMedia(c, source, ctx) {
      const userId = source.userId ?? "";
      const messageId = Number(source.messageId);
      const peer = await peerOf(ctx.db, c.id, userId);
      return {
        url: `tg://user?id=${userId}&message=${messageId}`,
        read: async () => {
          try {
            const data = await withClient(c, (client) => client.downloadMedia(peer, messageId));
            if (!data)
              throw new ChannelSendError(
                "provider_error",
                "Telegram has no file on this message any more.",
                false,
              );
            return data;
          } catch (err) {
            throw err instanceof ChannelSendError ? err : sendError(err);
          }
        },
      };
    },
  };
}
