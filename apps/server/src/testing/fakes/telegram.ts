import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readParams } from "./telegram-params";
import {
  type Bot,
  CAPTION_METHODS,
  type Injected,
  type StoredFile,
  type TelegramErrorBody,
  type TelegramRequest,
} from "./telegram-types";

/**
 * A fake Telegram Bot API on loopback (CHANNELS.md §10.1).
 *
 * API side: `/bot<token>/<method>` with JSON, form or multipart bodies (or a GET query), answering
 * `{"ok":true,"result":…}` or `{"ok":false,"error_code","description"[,"parameters"]}` like Telegram; the
 * token in the path is the only auth (an unknown token gets 401 Unauthorized). Methods: getMe, setWebhook,
 * deleteWebhook, getWebhookInfo, getUpdates (409 while a webhook is set), sendMessage (4096 characters),
 * sendPhoto / sendDocument / sendVideo / sendVoice / sendAudio (caption 1024), sendMediaGroup, sendChatAction,
 * getFile; `GET /file/bot<token>/<file_path>` serves the bytes. Every call is recorded. Errors are injected
 * per chat id and/or method with `failNext`.
 *
 * Driver side: `pushUpdate` posts an Update to the bot's registered webhook with the
 * X-Telegram-Bot-Api-Secret-Token header Telegram would send (or a wrong / missing one), retrying on non-2xx
 * when asked, like Telegram does.
 */

export type { Injected, TelegramErrorBody, TelegramRequest } from "./telegram-types";

export async function startTelegramFake() {
  const bots = new Map<string, Bot>();
  const files = new Map<string, StoredFile>();
  const byPath = new Map<string, StoredFile>();
  const requests: TelegramRequest[] = [];
  const injections: { chatId?: string; method?: string; error: Injected; left: number; skip: number }[] = [];
  let nextBotId = 7_000_000_000;
  let nextFile = 0;
  let nextUpdateId = 500_000_000;
  /** Groups that became supergroups: old chat id → new chat id (sends to the old id are refused). */
  const migrated = new Map<string, number>();

  /** Bot API methods whose next calls get no answer (see holdNext), and the calls held so far. */
  const holds: { method: string; left: number }[] = [];
  const held: { method: string; at: number; closed: boolean }[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = /^\/bot[^/]+\/([A-Za-z]+)$/.exec(new URL(req.url ?? "/", "http://fake").pathname)?.[1];
      const hold = holds.find((h) => h.left > 0 && h.method === method);
      if (hold) {
        hold.left--;
        const call = { method: method!, at: Date.now(), closed: false };
        held.push(call);
        res.once("close", () => {
          call.closed = true;
        });
        return;
      }
      handle(req, Buffer.concat(chunks)).then(
        ({ status, body, raw, headers }) => {
          res.writeHead(status, { "content-type": "application/json", ...headers });
          res.end(raw ?? JSON.stringify(body));
        },
        (err) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(String(err));
        },
      );
    });
  });

  type Answer = { status: number; body?: unknown; raw?: Buffer | string; headers?: Record<string, string> };
  const ok = (result: unknown): Answer => ({ status: 200, body: { ok: true, result } });
  const fail = (e: TelegramErrorBody): Answer => ({ status: e.error_code, body: { ok: false, ...e } });
  const badRequest = (description: string) =>
    fail({ error_code: 400, description: `Bad Request: ${description}` });

  async function handle(req: http.IncomingMessage, raw: Buffer): Promise<Answer> {
    const url = new URL(req.url ?? "/", "http://fake");
    const file = url.pathname.match(/^\/file\/bot([^/]+)\/(.+)$/);
    if (file) {
      const [, token, filePath] = file;
      requests.push({
        httpMethod: req.method ?? "GET",
        path: url.pathname,
        token: token!,
        method: "file",
        params: { file_path: filePath },
        contentType: undefined,
        at: Date.now(),
      });
      const f = byPath.get(decodeURIComponent(filePath!));
      if (!bots.has(token!) || !f || f.expired) return fail({ error_code: 404, description: "Not Found" });
      return { status: 200, raw: f.bytes, headers: { "content-type": "application/octet-stream" } };
    }
    const api = url.pathname.match(/^\/bot([^/]+)\/([A-Za-z]+)$/);
    if (!api) return fail({ error_code: 404, description: "Not Found" });
    const [, token, method] = api as unknown as [string, string, string];
    const params = await readParams(req, url, raw);
    requests.push({
      httpMethod: req.method ?? "POST",
      path: url.pathname,
      token,
      method,
      params,
      contentType: req.headers["content-type"],
      at: Date.now(),
    });
    const bot = bots.get(token);
    if (!bot) return fail({ error_code: 401, description: "Unauthorized" });

    const chatId = params.chat_id === undefined ? undefined : String(params.chat_id);
    const i = injections.findIndex(
      (x) => x.left > 0 && (!x.chatId || x.chatId === chatId) && (!x.method || x.method === method),
    );
    const inj = i >= 0 ? injections[i]! : null;
    if (inj && inj.skip > 0) inj.skip--;
    else if (inj) {
      if (--inj.left === 0) injections.splice(i, 1);
      return "raw" in inj.error ? { status: inj.error.status, raw: inj.error.raw } : fail(inj.error);
    }

    const movedTo = chatId !== undefined ? migrated.get(chatId) : undefined;
    if (movedTo !== undefined && method.startsWith("send") && method !== "sendChatAction")
      return fail({
        error_code: 400,
        description: "Bad Request: group chat was upgraded to a supergroup chat",
        parameters: { migrate_to_chat_id: movedTo },
      });

    switch (method) {
      case "getMe":
        return ok({ id: bot.id, is_bot: true, first_name: "Parley test bot", username: bot.username });
      case "setWebhook": {
        if (typeof params.url !== "string") return badRequest("bad webhook: URL must be provided");
        const secret = params.secret_token as string | undefined;
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret))
          return badRequest("secret token contains unallowed characters");
        if (params.url === "") {
          bot.webhook = null;
          return { status: 200, body: { ok: true, result: true, description: "Webhook was deleted" } };
        }
        bot.webhook = { url: params.url, secret, allowedUpdates: params.allowed_updates };
        return { status: 200, body: { ok: true, result: true, description: "Webhook was set" } };
      }
      case "deleteWebhook":
        bot.webhook = null;
        return { status: 200, body: { ok: true, result: true, description: "Webhook was deleted" } };
      case "getWebhookInfo":
        return ok({
          url: bot.webhook?.url ?? "",
          has_custom_certificate: false,
          pending_update_count: bot.queue.length,
          ...(bot.webhook?.allowedUpdates ? { allowed_updates: bot.webhook.allowedUpdates } : {}),
        });
      case "getUpdates": {
        if (bot.webhook)
          return fail({
            error_code: 409,
            description:
              "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          });
        const offset = Number(params.offset ?? 0);
        if (offset) bot.queue = bot.queue.filter((u) => u.update_id >= offset);
        return ok(bot.queue.slice(0, Number(params.limit ?? 100)));
      }
      case "getFile": {
        const f = files.get(String(params.file_id));
        if (!f) return badRequest("invalid file_id");
        if (f.bytes.length > 20 * 1024 * 1024) return badRequest("file is too big");
        return ok({
          file_id: params.file_id,
          file_unique_id: f.uniqueId,
          file_size: f.bytes.length,
          file_path: f.path,
        });
      }
      case "sendChatAction":
        if (!chatId) return badRequest("chat_id is empty");
        return ok(true);
      case "sendMessage": {
        if (!chatId) return badRequest("chat_id is empty");
        const text = typeof params.text === "string" ? params.text : "";
        if (!text.trim()) return badRequest("message text is empty");
        if (text.length > 4096) return badRequest("message is too long");
        return ok({ ...sent(bot, chatId, params), text });
      }
      case "sendMediaGroup": {
        if (!chatId) return badRequest("chat_id is empty");
        const media = Array.isArray(params.media) ? params.media : [];
        if (media.length < 2 || media.length > 10)
          return badRequest("wrong number of media specified; must be 2-10");
        return ok(media.map(() => sent(bot, chatId, params)));
      }
      default: {
        const field = CAPTION_METHODS[method];
        if (!field) return fail({ error_code: 404, description: "Not Found" });
        if (!chatId) return badRequest("chat_id is empty");
        if (!params[field]) return badRequest(`there is no ${field} in the request`);
        const caption = typeof params.caption === "string" ? params.caption : undefined;
        if (caption && caption.length > 1024) return badRequest("message caption is too long");
        const ref = { file_id: `sent-${++nextFile}`, file_unique_id: `u${nextFile}` };
        return ok({
          ...sent(bot, chatId, params),
          [field]: field === "photo" ? [{ ...ref, width: 800, height: 600 }] : ref,
          ...(caption ? { caption } : {}),
        });
      }
    }
  }

  /** The Message a send answers with: message_id increments per chat. */
  function sent(bot: Bot, chatId: string, params: Record<string, any>) {
    const id = (bot.nextMessageId.get(chatId) ?? 1000) + 1;
    bot.nextMessageId.set(chatId, id);
    const reply = params.reply_parameters?.message_id;
    return {
      message_id: id,
      from: { id: bot.id, is_bot: true, first_name: "Parley test bot", username: bot.username },
      chat: { id: Number(chatId), type: Number(chatId) < 0 ? "group" : "private" },
      date: Math.floor(Date.now() / 1000),
      ...(reply
        ? { reply_to_message: { message_id: reply, chat: { id: Number(chatId), type: "private" } } }
        : {}),
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    /** A bot the API accepts: its token, id and username. */
    newBot() {
      const id = ++nextBotId;
      const token = `${id}:AA${crypto.randomBytes(24).toString("base64url")}`;
      const bot: Bot = {
        token,
        id,
        username: `parley_test_${id}_bot`,
        webhook: null,
        queue: [],
        nextMessageId: new Map(),
      };
      bots.set(token, bot);
      return { token, id, username: bot.username };
    },
    webhookOf(token: string) {
      return bots.get(token)?.webhook ?? null;
    },
    /** The Bot API calls of one bot, optionally of one method. */
    calls(token: string, method?: string) {
      return requests.filter((r) => r.token === token && (!method || r.method === method));
    },
    /** Stores a file getFile can hand out and /file/bot… serves; returns the file_id to put in an Update. */
    addFile(bytes: Buffer, filePath = `documents/file_${nextFile + 1}.bin`) {
      const id = `BQAC-${++nextFile}-${crypto.randomBytes(6).toString("hex")}`;
      const f: StoredFile = { bytes, path: filePath, uniqueId: `AgAD${nextFile}`, expired: false };
      files.set(id, f);
      byPath.set(filePath, f);
      return { file_id: id, file_unique_id: f.uniqueId, file_size: bytes.length };
    },
    /** The file's download link stops working (404), as Telegram's do after an hour. */
    expireFile(fileId: string) {
      files.get(fileId)!.expired = true;
    },
    /**
     * The next `times` calls matching the chat id and/or method answer with this error; with `after`, the
     * first `after` matching calls succeed before that (a failure in the middle of a multi-part message).
     */
    failNext(
      match: { chatId?: string | number; method?: string; after?: number },
      error: Injected,
      times = 1,
    ) {
      injections.push({
        ...(match.chatId !== undefined ? { chatId: String(match.chatId) } : {}),
        ...(match.method ? { method: match.method } : {}),
        error,
        left: times,
        skip: match.after ?? 0,
      });
    },
    /**
     * The next `times` calls of `method` are never answered (nor recorded as calls or sent): the caller
     * waits until its own timeout or until it dies. `held` lists them, `closed` once the caller hung up.
     */
    holdNext(method: string, times = 1) {
      holds.push({ method, left: times });
    },
    held,
    /**
     * Posts an Update to the bot's webhook as Telegram does: JSON, with the registered secret in
     * X-Telegram-Bot-Api-Secret-Token (`secret` overrides it; null leaves the header out). Retries up to
     * `retries` times while the answer is not 2xx. Without a webhook the update waits for getUpdates.
     */
    async pushUpdate(
      token: string,
      update: Record<string, unknown>,
      opts: { secret?: string | null; retries?: number } = {},
    ) {
      const bot = bots.get(token);
      if (!bot) throw new Error("unknown bot");
      const body = { update_id: ++nextUpdateId, ...update };
      if (!bot.webhook) {
        bot.queue.push(body);
        return { status: 0, body: null, updateId: body.update_id, attempts: 0 };
      }
      const secret = opts.secret === undefined ? bot.webhook.secret : opts.secret;
      const raw = JSON.stringify(body);
      let attempts = 0;
      for (;;) {
        attempts++;
        const res = await fetch(bot.webhook.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(secret != null ? { "x-telegram-bot-api-secret-token": secret } : {}),
          },
          body: raw,
        });
        const text = await res.text();
        let json: any = text;
        try {
          json = JSON.parse(text);
        } catch {}
        if (res.ok || attempts > (opts.retries ?? 0))
          return { status: res.status, body: json, updateId: body.update_id, attempts };
      }
    },
    /**
     * A group becomes a supergroup, as Telegram reports it: the old chat gets a service message with
     * `migrate_to_chat_id`, the new chat one with `migrate_from_chat_id` (`order: "new-first"` swaps them);
     * from then on, sends to the old chat id fail with 400 and `parameters.migrate_to_chat_id`.
     */
    async migrateGroup(
      token: string,
      group: { id: number; title: string },
      newChatId: number,
      by: Record<string, unknown>,
      o: { order?: "old-first" | "new-first" } = {},
    ) {
      migrated.set(String(group.id), newChatId);
      const date = Math.floor(Date.now() / 1000);
      const inOld = {
        message: {
          message_id: 90_000 + nextUpdateId,
          from: by,
          chat: { id: group.id, type: "group", title: group.title },
          date,
          migrate_to_chat_id: newChatId,
        },
      };
      const inNew = {
        message: {
          message_id: 1,
          from: { id: 1087968824, is_bot: true, first_name: "Group", username: "GroupAnonymousBot" },
          sender_chat: { id: newChatId, type: "supergroup", title: group.title },
          chat: { id: newChatId, type: "supergroup", title: group.title },
          date,
          migrate_from_chat_id: group.id,
        },
      };
      const updates = o.order === "new-first" ? [inNew, inOld] : [inOld, inNew];
      const answers = [];
      for (const u of updates) answers.push(await this.pushUpdate(token, u));
      return answers;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Held calls would keep their connections, and the server, open.
        server.closeAllConnections();
      }),
  };
}

export type TelegramFake = Awaited<ReturnType<typeof startTelegramFake>>;
