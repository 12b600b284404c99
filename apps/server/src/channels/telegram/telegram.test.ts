import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { startTelegramFake, type TelegramFake } from "../../testing/fakes/telegram";
import { SAMPLE_PNG, uploadFile } from "../../testing/files";
import { type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

let fake: TelegramFake;

beforeAll(async () => {
  fake = await startTelegramFake();
});
afterAll(async () => {
  await fake.close();
});

/**
 * The application's clock: real time, which the pacing and rate-limit tests stop and move by hand so that they
 * check what the server decided (when a job may run again), not when requests happened to arrive.
 */
const clock = new MovableClock();
const freeze = () => clock.freeze();
const unfreeze = () => clock.unfreeze();
function advance(ms: number) {
  clock.advance(ms);
  t.server.ctx.jobs.wake();
}

const t = useTestServer(() => ({ clock, env: { TELEGRAM_API_BASE: fake.url } }));

let nextChat = 300_000_000;
let nextMessage = 5000;

/** A workspace with a Telegram connection to a fresh bot of the fake. */
async function connect() {
  const { owner } = await newWorkspace(t);
  const bot = fake.newBot();
  const r = await owner.post("/api/connections", {
    type: "telegram",
    name: unique("tg"),
    credentials: { botToken: bot.token },
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { owner, bot, connection: r.body.connection, reveal: r.body.reveal };
}

function person(chatId = ++nextChat, first = "Анна", last = "Петрова") {
  return { id: chatId, is_bot: false, first_name: first, last_name: last, username: `user${chatId}` };
}

/** A private-chat message from `from` with the given content. */
function msg(from: ReturnType<typeof person>, content: Record<string, unknown>, messageId = ++nextMessage) {
  return {
    message_id: messageId,
    from,
    chat: { id: from.id, type: "private", first_name: from.first_name, username: from.username },
    date: 1_700_000_000 + messageId,
    ...content,
  };
}

async function conversationOf(owner: Client) {
  const list = await owner.get("/api/conversations");
  return list.body.conversations as any[];
}
async function feed(owner: Client, convId: string) {
  return (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];
}

async function waitForMessage(
  owner: Client,
  convId: string,
  messageId: string,
  wanted: (m: any) => boolean,
  what: string,
  timeoutMs = 10_000,
) {
  return eventually(
    async () => {
      const m = (await feed(owner, convId)).find((x) => x.id === messageId);
      if (!m || !wanted(m)) throw new Error(`message stayed ${JSON.stringify(m?.delivery)}, wanted ${what}`);
      return m;
    },
    { timeout: timeoutMs },
  );
}
const waitForState = (owner: Client, convId: string, messageId: string, state: string, timeoutMs?: number) =>
  waitForMessage(owner, convId, messageId, (m) => m.delivery?.state === state, state, timeoutMs);

/** The send job of a message, as the runner left it: when it may run again and why. */
async function jobOf(messageId: string) {
  const [job] = await t.db.query<{
    run_at: Date;
    attempts: number;
    status: string;
    last_error: string | null;
  }>("select run_at, attempts, status, last_error from jobs where payload->>'messageId' = $1", [messageId]);
  return job!;
}

/** A connection with one conversation started by a customer's text. */
async function withConversation() {
  const c = await connect();
  const from = person();
  const first = msg(from, { text: "Здравствуйте, где мой заказ?" });
  const r = await fake.pushUpdate(c.bot.token, { message: first });
  expect(r.status).toBe(200);
  const [conv] = await conversationOf(c.owner);
  return { ...c, from, first, conv };
}

/** Polls a query until it returns rows. */
const waitForRows = <T>(query: () => Promise<T[]>): Promise<T[]> =>
  eventually(
    async () => {
      const rows = await query();
      return rows.length > 0 ? rows : null;
    },
    { what: "rows" },
  );

/** Polls a message's send job until `wanted` holds (what the runner decided). */
const waitForJob = (messageId: string, wanted: (job: Awaited<ReturnType<typeof jobOf>>) => boolean) =>
  eventually(async () => {
    const job = await jobOf(messageId);
    if (!job || !wanted(job)) throw new Error(`job stayed ${JSON.stringify(job)}`);
    return job;
  });

async function reply(owner: Client, convId: string, body: Record<string, unknown>) {
  const r = await owner.post(`/api/conversations/${convId}/messages`, body);
  expect(r.status).toBe(201);
  return r.body.message.id as string;
}

describe("Telegram connection", () => {
  it("checks the token with getMe, registers the webhook with a generated secret, and refuses bad tokens clearly", async () => {
    const { owner } = await newWorkspace(t);

    const malformed = await owner.post("/api/connections", {
      type: "telegram",
      name: "bad",
      credentials: { botToken: "not a token" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/bot token/i);

    // Well formed but unknown to Telegram: getMe answers 401 Unauthorized.
    const revoked = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    const refused = await owner.post("/api/connections", {
      type: "telegram",
      name: "revoked",
      credentials: { botToken: revoked },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/Telegram refused the bot token \(Unauthorized\).*@BotFather/);
    expect(JSON.stringify(refused.body)).not.toContain(revoked);
    expect(fake.calls(revoked).map((r) => r.method)).toEqual(["getMe"]);
    expect((await owner.get("/api/connections")).body.connections).toHaveLength(0);

    // Telegram refuses the webhook URL: the admin reads why.
    const bot1 = fake.newBot();
    fake.failNext(
      { method: "setWebhook" },
      { error_code: 400, description: "Bad Request: bad webhook: An HTTPS URL must be provided for webhook" },
    );
    const noHook = await owner.post("/api/connections", {
      type: "telegram",
      name: "no hook",
      credentials: { botToken: bot1.token },
    });
    expect(noHook.status).toBe(422);
    expect(noHook.body.error.message).toMatch(/register the webhook .*An HTTPS URL must be provided/);
    expect((await owner.get("/api/connections")).body.connections).toHaveLength(0);

    const bot = fake.newBot();
    const r = await owner.post("/api/connections", {
      type: "telegram",
      name: "Support bot",
      credentials: { botToken: ` ${bot.token} ` },
    });
    expect(r.status).toBe(201);
    const id = r.body.connection.id;
    expect(r.body.connection.capabilities).toEqual({
      reportsDelivered: false,
      reportsRead: false,
      markSeen: false,
      quoting: true,
      textMaxChars: 4096,
      splitsLongText: true,
      captionMaxChars: 1024,
      attachments: { maxBytes: 20 * 1024 * 1024, imageMaxBytes: 5 * 1024 * 1024, maxPerMessage: 10 },
      window: "none",
    });
    expect(r.body.reveal).toEqual({ webhookUrl: `${t.url}/api/webhooks/telegram/${id}` });
    expect(JSON.stringify(r.body)).not.toContain(bot.token);

    const calls = fake.calls(bot.token);
    expect(calls.map((c) => [c.httpMethod, c.path])).toEqual([
      ["POST", `/bot${bot.token}/getMe`],
      ["POST", `/bot${bot.token}/setWebhook`],
    ]);
    const hook = calls[1]!;
    expect(hook.contentType).toBe("application/json");
    expect(hook.params).toEqual({
      url: `${t.url}/api/webhooks/telegram/${id}`,
      secret_token: expect.stringMatching(/^[A-Za-z0-9_-]{32,256}$/),
      allowed_updates: ["message", "edited_message"],
    });
    // The secret is kept encrypted, never in clear text.
    const [row] = await t.server.ctx.db.query<{ credentials_enc: string }>(
      "select credentials_enc from channel_connections where id = $1",
      [id],
    );
    expect(row!.credentials_enc).not.toContain(hook.params.secret_token);
    expect(row!.credentials_enc).not.toContain(bot.token);
  });
});

describe("Telegram inbound", () => {
  it("accepts only the registered secret (constant-time compare) and never duplicates a retried update", async () => {
    const { owner, bot } = await connect();
    const from = { ...person(), language_code: "ru" };
    const text = "Привет! Мой заказ опаздывает 🚚 — 3 дня";
    const update = { message: msg(from, { text }) };

    const wrong = await fake.pushUpdate(bot.token, update, { secret: "x".repeat(43) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_signature");
    const missing = await fake.pushUpdate(bot.token, update, { secret: null });
    expect(missing.status).toBe(401);
    const short = await fake.pushUpdate(bot.token, update, { secret: "abc" });
    expect(short.status).toBe(401);
    expect(await conversationOf(owner)).toHaveLength(0);

    const first = await fake.pushUpdate(bot.token, { update_id: 900_000_001, ...update });
    expect(first.status).toBe(200);
    expect(first.body.results[0]).toMatchObject({ kind: "message", status: "created" });
    // Telegram resends the same update (our answer was lost): stored once.
    const again = await fake.pushUpdate(bot.token, { update_id: 900_000_001, ...update });
    expect(again.status).toBe(200);
    expect(again.body.results[0]).toMatchObject({ kind: "message", status: "duplicate" });

    const [conv, ...rest] = await conversationOf(owner);
    expect(rest).toHaveLength(0);
    expect(conv).toMatchObject({
      contact: { name: "Анна Петрова" },
      connection: { type: "telegram" },
      lastMessage: { text, direction: "inbound", authorType: "contact" },
    });
    // The user's app language is kept with the conversation (automation rules' language condition).
    const [row] = await t.db.query<{ source: Record<string, string> }>(
      "select source from conversations where id = $1",
      [conv.id],
    );
    expect(row!.source).toEqual({ language: "ru" });
    const messages = await feed(owner, conv.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      text,
      providerMessageId: `${from.id}:${update.message.message_id}`,
      createdAt: expect.any(String),
    });
  });

  it("downloads photos (largest size), documents and voice notes; an expired link keeps the message with an error", async () => {
    const { owner, bot } = await connect();
    const from = person();
    const thumb = fake.addFile(Buffer.from("tiny thumbnail"), "photos/file_thumb.jpg");
    const bigBytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(50_000, 7)]);
    const big = fake.addFile(bigBytes, "photos/file_big.jpg");
    await fake.pushUpdate(bot.token, {
      message: msg(from, {
        photo: [
          { ...thumb, width: 90, height: 67 },
          { ...big, width: 1280, height: 960 },
        ],
        caption: "вот фото посылки",
      }),
    });
    const pdf = Buffer.from("%PDF-1.4 invoice ünïcödé");
    const doc = fake.addFile(pdf, "documents/file_7.pdf");
    await fake.pushUpdate(bot.token, {
      message: msg(from, { document: { ...doc, file_name: "Счёт №7.pdf", mime_type: "application/pdf" } }),
    });
    const ogg = fake.addFile(Buffer.from("OggS voice"), "voice/file_9.oga");
    await fake.pushUpdate(bot.token, {
      message: msg(from, { voice: { ...ogg, duration: 4, mime_type: "audio/ogg" } }),
    });
    const gone = fake.addFile(Buffer.from("expired"), "documents/file_old.txt");
    fake.expireFile(gone.file_id);
    const expired = await fake.pushUpdate(bot.token, {
      message: msg(from, {
        document: { ...gone, file_name: "old.txt", mime_type: "text/plain" },
        caption: "old",
      }),
    });
    expect(expired.status).toBe(200);
    // Files are downloaded by background jobs after the webhooks were acknowledged.
    await jobsSettled(t.server);

    const [conv] = await conversationOf(owner);
    const messages = await feed(owner, conv.id);
    expect(messages).toHaveLength(4);
    const [photo, document, voice, lost] = messages;

    expect(photo.text).toBe("вот фото посылки");
    expect(photo.attachments).toEqual([
      {
        name: "file_big.jpg",
        mimeType: "image/jpeg",
        size: bigBytes.length,
        url: expect.stringMatching(/^\/api\/files\//),
        state: "ready",
      },
    ]);
    // getFile asked for the largest size only (the jobs ran side by side: in any order); the bytes were
    // fetched from /file/bot<token>/<file_path>.
    expect(new Set(fake.calls(bot.token, "getFile").map((c) => c.params.file_id))).toEqual(
      new Set([big.file_id, doc.file_id, ogg.file_id, gone.file_id]),
    );
    expect(fake.calls(bot.token, "file").map((c) => c.path)).toContain(
      `/file/bot${bot.token}/photos/file_big.jpg`,
    );
    const got = await fetch(`${t.url}${photo.attachments[0].url}`, { headers: { cookie: owner.cookie! } });
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await got.arrayBuffer()).equals(bigBytes)).toBe(true);

    expect(document.text).toBeNull();
    expect(document.attachments[0]).toMatchObject({
      name: "Счёт №7.pdf",
      mimeType: "application/pdf",
      size: pdf.length,
    });
    const gotPdf = await fetch(`${t.url}${document.attachments[0].url}`, {
      headers: { cookie: owner.cookie! },
    });
    expect(Buffer.from(await gotPdf.arrayBuffer()).equals(pdf)).toBe(true);

    expect(voice.attachments[0]).toMatchObject({ mimeType: "audio/ogg", size: 10 });

    expect(lost.text).toBe("old");
    expect(lost.attachments).toEqual([
      {
        name: "old.txt",
        mimeType: "text/plain",
        size: 7,
        url: "",
        state: "downloading",
      },
    ]);
    // Its link answered 404: the download is retried later with a fresh getFile (until Telegram's reference
    // expires; giving up is tested in modules/media).
    const [retry] = await t.server.ctx.db.query<{ status: string; last_error: string }>(
      "select status, last_error from jobs where type = 'media.download' and payload->>'messageId' = $1",
      [lost.id],
    );
    expect(retry).toMatchObject({ status: "pending", last_error: expect.stringMatching(/404/) });

    // The token in Telegram's file URL is never stored with the file.
    const sources = await t.server.ctx.db.query<{ source_url: string }>(
      "select source_url from files where workspace_id = $1",
      [owner.workspaceId],
    );
    expect(sources).toHaveLength(3);
    for (const s of sources) {
      expect(s.source_url).not.toContain(bot.token);
      expect(s.source_url).toMatch(/\/file\/bot<token>\//);
    }
  });

  it("gives readable text for stickers, places and contacts, records edits, and ignores service messages and other updates", async () => {
    const { owner, bot } = await connect();
    const from = person(++nextChat, "Ivan", "");
    const original = msg(from, { text: "адрес: Ленина 1" });
    await fake.pushUpdate(bot.token, { message: original });
    await fake.pushUpdate(bot.token, { message: msg(from, { sticker: { file_id: "CAAC", emoji: "😀" } }) });
    await fake.pushUpdate(bot.token, {
      message: msg(from, { location: { latitude: 55.751244, longitude: 37.618423 } }),
    });
    await fake.pushUpdate(bot.token, {
      message: msg(from, { contact: { phone_number: "+79990001122", first_name: "Oleg", last_name: "K" } }),
    });
    await fake.pushUpdate(bot.token, { message: msg(from, { game: { title: "Snake" } }) });
    const edit = { ...original, text: "адрес: Ленина 10", edit_date: original.date + 60 };
    const edited = await fake.pushUpdate(bot.token, { edited_message: edit });
    expect(edited.body.results[0].status).toBe("created");
    // The same edit delivered twice is one message.
    const editAgain = await fake.pushUpdate(bot.token, { edited_message: edit });
    expect(editAgain.body.results[0].status).toBe("duplicate");

    for (const other of [
      { callback_query: { id: "1", from, data: "x" } },
      {
        my_chat_member: {
          chat: { id: from.id, type: "private" },
          from,
          date: 1,
          old_chat_member: {},
          new_chat_member: {},
        },
      },
      { message: msg(from, { new_chat_title: "renamed" }) },
      { poll_answer: { poll_id: "1", option_ids: [0] } },
    ]) {
      const r = await fake.pushUpdate(bot.token, other);
      expect(r.status).toBe(200);
      expect(r.body.results).toEqual([]);
    }

    const [conv] = await conversationOf(owner);
    expect(conv.contact.name).toBe("Ivan");
    const messages = await feed(owner, conv.id);
    expect(messages.map((m) => m.text)).toEqual([
      "адрес: Ленина 1",
      "[Sticker 😀]",
      "[Location: 55.751244, 37.618423]",
      "[Contact: Oleg K, +79990001122]",
      "[Unsupported Telegram message: game]",
      "Edited: адрес: Ленина 10",
    ]);
    expect(messages.at(-1).quotedMessageId).toBe(messages[0].id);
  });

  it("keeps a group as one conversation and names who wrote each message", async () => {
    const { owner, bot } = await connect();
    const group = { id: -1_001_234_567_890, type: "supergroup", title: "Оптовики" };
    const a = person(++nextChat, "Анна", "");
    const b = person(++nextChat, "Boris", "");
    for (const [from, text] of [
      [a, "есть скидки?"],
      [b, "и мне интересно"],
    ] as const) {
      await fake.pushUpdate(bot.token, {
        message: { message_id: ++nextMessage, from, chat: group, date: 1_700_000_000, text },
      });
    }
    const convs = await conversationOf(owner);
    expect(convs).toHaveLength(1);
    expect(convs[0].contact.name).toBe("Оптовики");
    expect((await feed(owner, convs[0].id)).map((m) => m.text)).toEqual([
      "Анна: есть скидки?",
      "Boris: и мне интересно",
    ]);
  });
});

describe("Telegram group migrated to a supergroup", () => {
  async function groupConversation() {
    const c = await connect();
    const group = { id: -(400_000_000 + ++nextChat), title: unique("Опт") };
    const a = person(++nextChat, "Анна", "");
    await fake.pushUpdate(c.bot.token, {
      message: {
        message_id: ++nextMessage,
        from: a,
        chat: { ...group, type: "group" },
        date: 1_700_000_000,
        text: "є знижки?",
      },
    });
    const [conv] = await conversationOf(c.owner);
    return { ...c, group, a, conv, supergroup: -(1_000_000_000_000 + nextChat) };
  }

  it("continues the conversation in the new chat: replies go there and its messages join it", async () => {
    const { owner, bot, group, a, conv, supergroup } = await groupConversation();
    // Before the move is known, a send to the old chat is refused by Telegram.
    const answers = await fake.migrateGroup(bot.token, group, supergroup, a);
    expect(answers.map((x) => x.status)).toEqual([200, 200]);
    expect(answers.map((x) => x.body.results)).toEqual([
      [{ kind: "identity_moved", status: "updated" }],
      [{ kind: "identity_moved", status: "unchanged" }],
    ]);
    const id = await reply(owner, conv.id, { text: "так, 10%" });
    await waitForState(owner, conv.id, id, "sent");
    const sends = fake.calls(bot.token, "sendMessage");
    expect(sends.at(-1)!.params).toMatchObject({ chat_id: supergroup, text: "так, 10%" });
    // The group writes on in the supergroup: same conversation.
    await fake.pushUpdate(bot.token, {
      message: {
        message_id: 2,
        from: a,
        chat: { id: supergroup, type: "supergroup", title: group.title },
        date: 1_700_000_100,
        text: "дякую",
      },
    });
    const convs = await conversationOf(owner);
    expect(convs.map((c) => c.id)).toEqual([conv.id]);
    const texts = (await feed(owner, conv.id)).filter((m) => m.kind === "message").map((m) => m.text);
    expect(texts).toEqual(["Анна: є знижки?", "так, 10%", "Анна: дякую"]);
  });

  it("merges a conversation the new chat already started into the old one", async () => {
    const { owner, bot, group, a, conv, supergroup } = await groupConversation();
    // The supergroup's first message arrives before the move is reported: a second conversation.
    await fake.pushUpdate(bot.token, {
      message: {
        message_id: 3,
        from: a,
        chat: { id: supergroup, type: "supergroup", title: group.title },
        date: 1_700_000_050,
        text: "ми тепер супергрупа",
      },
    });
    expect(await conversationOf(owner)).toHaveLength(2);
    const socket = await owner.socket(t.wsUrl);
    await fake.migrateGroup(bot.token, group, supergroup, a, { order: "new-first" });
    const gone = (await conversationOf(owner)).filter((c) => c.id !== conv.id);
    expect(gone).toHaveLength(0);
    await socket.waitForEvent("conversation.deleted", (e) => e.conversationId !== conv.id);
    socket.close();
    expect((await feed(owner, conv.id)).map((m) => m.text)).toEqual([
      "Анна: є знижки?",
      "Анна: ми тепер супергрупа",
    ]);
    const merged = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(merged.lastMessage.text).toBe("Анна: ми тепер супергрупа");
    const id = await reply(owner, conv.id, { text: "вітаємо" });
    await waitForState(owner, conv.id, id, "sent");
    expect(fake.calls(bot.token, "sendMessage").at(-1)!.params).toMatchObject({ chat_id: supergroup });
    const identities = await t.server.ctx.db.query<{ external_id: string }>(
      "select i.external_id from contact_identities i join conversations c on c.identity_id = i.id where c.id = $1",
      [conv.id],
    );
    expect(identities.map((i) => i.external_id)).toEqual([String(supergroup)]);
  });
});

describe("Telegram outbound", () => {
  it("sends text, quoted replies and files by absolute URL, recording <chat>:<message_id>; a customer's reply to it quotes it", async () => {
    const { owner, bot, from, first, conv } = await withConversation();
    const [inbound] = await feed(owner, conv.id);

    const id = await reply(owner, conv.id, { text: "Добрый день! Проверяю 🔍" });
    const sent = await waitForState(owner, conv.id, id, "sent");
    const [call] = fake.calls(bot.token, "sendMessage");
    expect(call!.path).toBe(`/bot${bot.token}/sendMessage`);
    expect(call!.contentType).toBe("application/json");
    expect(call!.params).toEqual({ chat_id: from.id, text: "Добрый день! Проверяю 🔍" });
    expect(sent.providerMessageId).toBe(`${from.id}:1001`);

    const quoted = await reply(owner, conv.id, { text: "Ответ на ваш вопрос", quotedMessageId: inbound.id });
    await waitForState(owner, conv.id, quoted, "sent");
    expect(fake.calls(bot.token, "sendMessage")[1]!.params).toEqual({
      chat_id: from.id,
      text: "Ответ на ваш вопрос",
      reply_parameters: { message_id: first.message_id, allow_sending_without_reply: true },
    });

    const photo = await uploadFile(t.url, owner, conv.id, "label.png", SAMPLE_PNG, "image/png");
    const withPhoto = await reply(owner, conv.id, { text: "Ваша накладная", attachments: [photo] });
    const photoSent = await waitForState(owner, conv.id, withPhoto, "sent");
    expect(fake.calls(bot.token, "sendPhoto")[0]!.params).toEqual({
      chat_id: from.id,
      // Parley's own file, by a signed link Telegram can fetch without a session.
      photo: expect.stringMatching(new RegExp(`^${t.url}${photo.url}\\?expires=\\d+&signature=[\\w-]+$`)),
      caption: "Ваша накладная",
    });
    expect(photoSent.providerMessageId).toBe(`${from.id}:1003`);

    // Text over the 1024-character caption limit goes first as its own message, then the file.
    const longText = "Подробно: ".repeat(110);
    const pdf = {
      name: "act.pdf",
      mimeType: "application/pdf",
      size: 99,
      url: "https://cdn.example.com/act.pdf",
    };
    const both = await reply(owner, conv.id, {
      text: longText,
      attachments: [pdf],
      quotedMessageId: inbound.id,
    });
    const bothSent = await waitForState(owner, conv.id, both, "sent");
    expect(fake.calls(bot.token, "sendMessage")[2]!.params).toEqual({
      chat_id: from.id,
      text: longText,
      reply_parameters: { message_id: first.message_id, allow_sending_without_reply: true },
    });
    expect(fake.calls(bot.token, "sendDocument")[0]!.params).toEqual({ chat_id: from.id, document: pdf.url });
    expect(bothSent.providerMessageId).toBe(`${from.id}:1004`);

    // The customer answers our first message with Telegram's reply: Parley links the quote.
    await fake.pushUpdate(bot.token, {
      message: msg(from, {
        text: "Спасибо!",
        reply_to_message: { message_id: 1001, chat: { id: from.id, type: "private" } },
      }),
    });
    const last = (await feed(owner, conv.id)).at(-1);
    expect(last).toMatchObject({ text: "Спасибо!", quotedMessageId: id });
    // No receipts exist on Telegram: the reply stays sent.
    expect((await feed(owner, conv.id)).find((m) => m.id === id).delivery.state).toBe("sent");
  });

  it("honours 429 retry_after and then sends; retries a 5xx; fails a blocked bot, a too-long text and a refused file at once", async () => {
    const { owner, bot, from, conv } = await withConversation();

    fake.failNext(
      { chatId: from.id, method: "sendMessage" },
      { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } },
    );
    const start = freeze();
    let m: any;
    try {
      const limited = await reply(owner, conv.id, { text: "после паузы" });
      // The job decided to wait the second Telegram asked for: the message says so, and so does its job.
      const waiting = await waitForMessage(owner, conv.id, limited, (x) => !!x.delivery.waiting, "waiting");
      expect(waiting.delivery).toMatchObject({
        state: "queued",
        waiting: { reason: "rate_limited", until: new Date(start + 1000).toISOString() },
      });
      // The job is given back (pending again) after the transaction that says the message waits.
      await eventually(async () =>
        expect(await jobOf(limited)).toMatchObject({
          status: "pending",
          attempts: 0,
          run_at: new Date(start + 1000),
        }),
      );
      advance(1000);
      m = await waitForState(owner, conv.id, limited, "sent");
      // The runner records the job's end after the handler's transaction has sent the message.
      await eventually(async () => expect(await jobOf(limited)).toMatchObject({ status: "done" }));
    } finally {
      unfreeze();
    }
    const tries = fake.calls(bot.token, "sendMessage").filter((c) => c.params.text === "после паузы");
    expect(tries).toHaveLength(2);
    expect(m.delivery.waiting).toBeNull();
    expect(m.providerMessageId).toBe(`${from.id}:1001`);

    fake.failNext({ chatId: from.id }, { status: 502, raw: "<html><body>502 Bad Gateway</body></html>" });
    const flaky = await reply(owner, conv.id, { text: "через 502" });
    await waitForState(owner, conv.id, flaky, "sent");
    expect(fake.calls(bot.token, "sendMessage").filter((c) => c.params.text === "через 502")).toHaveLength(2);

    fake.failNext(
      { chatId: from.id },
      { error_code: 403, description: "Forbidden: bot was blocked by the user" },
    );
    const blocked = await reply(owner, conv.id, { text: "вы здесь?" });
    const b = await waitForState(owner, conv.id, blocked, "failed");
    expect(b.delivery).toMatchObject({
      failureReason: "blocked_by_user",
      failureDetail: "Forbidden: bot was blocked by the user",
    });
    expect(fake.calls(bot.token, "sendMessage").filter((c) => c.params.text === "вы здесь?")).toHaveLength(1);

    // Telegram's own refusal of a too long text (Parley splits long text, so only a provider with a lower
    // limit than documented would answer this).
    fake.failNext({ chatId: from.id }, { error_code: 400, description: "Bad Request: message is too long" });
    const tooLong = await reply(owner, conv.id, { text: "ok" });
    const tl = await waitForState(owner, conv.id, tooLong, "failed");
    expect(tl.delivery).toMatchObject({
      failureReason: "too_long",
      failureDetail: "Bad Request: message is too long",
    });

    fake.failNext(
      { chatId: from.id, method: "sendDocument" },
      { error_code: 400, description: "Bad Request: failed to get HTTP URL content" },
    );
    const file = {
      name: "a.zip",
      mimeType: "application/zip",
      size: 5,
      url: "https://cdn.example.com/a.zip",
    };
    const refused = await reply(owner, conv.id, { attachments: [file] });
    const rf = await waitForState(owner, conv.id, refused, "failed");
    expect(rf.delivery).toMatchObject({
      failureReason: "attachment_rejected",
      failureDetail: "Bad Request: failed to get HTTP URL content",
    });

    fake.failNext(
      { chatId: from.id },
      { error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" },
    );
    const cold = await reply(owner, conv.id, { text: "hello" });
    const c = await waitForState(owner, conv.id, cold, "failed");
    expect(c.delivery.failureReason).toBe("not_permitted");

    const health = await owner.get(`/api/connections/${conv.connection.id}`);
    expect(health.body.connection.health.errorCount).toBe(6);
    expect(health.body.connection.health.lastError).not.toContain(bot.token);
  });

  it("resumes a multi-part message after a rate limit without sending its first part twice", async () => {
    const { owner, bot, from, conv } = await withConversation();
    fake.failNext(
      { chatId: from.id, method: "sendDocument" },
      { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } },
    );
    const photo = { name: "p.jpg", mimeType: "image/jpeg", size: 1, url: "https://cdn.example.com/p.jpg" };
    const doc = { name: "d.pdf", mimeType: "application/pdf", size: 1, url: "https://cdn.example.com/d.pdf" };
    const id = await reply(owner, conv.id, { text: "два файла", attachments: [photo, doc] });
    const m = await waitForState(owner, conv.id, id, "sent");
    expect(fake.calls(bot.token, "sendPhoto").map((c) => c.params)).toEqual([
      { chat_id: from.id, photo: photo.url, caption: "два файла" },
    ]);
    expect(fake.calls(bot.token, "sendDocument")).toHaveLength(2);
    expect(m.providerMessageId).toBe(`${from.id}:1001`);
  });

  it("sends a text over 4,096 characters as several messages split at paragraphs, resuming after a failed part without sending a part twice", async () => {
    const { owner, bot, from, conv, first } = await withConversation();
    const [inbound] = await feed(owner, conv.id);
    // A price list with aligned columns: 9,000 characters, most of them spaces (within Parley's 2,000
    // characters not counting spaces), in paragraphs of ten lines.
    const line = (i: number) => `Позиция ${i}`.padEnd(72, " ") + `${i * 10} ₴`.padStart(8, " ");
    const paragraph = (p: number) => Array.from({ length: 10 }, (_, i) => line(p * 10 + i + 1)).join("\n");
    const list = Array.from({ length: 12 }, (_, p) => paragraph(p)).join("\n\n");
    expect(list.length).toBeGreaterThan(9000);
    const texts = () =>
      fake
        .calls(bot.token, "sendMessage")
        .filter((c) => c.params.chat_id === from.id)
        .map((c) => c.params.text as string);

    const id = await reply(owner, conv.id, { text: list, quotedMessageId: inbound.id });
    const sent = await waitForState(owner, conv.id, id, "sent");
    const parts = texts();
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(4096);
      // Each part is whole paragraphs: it starts with a paragraph's first line and ends with one's last.
      expect(part).toMatch(/^Позиция \d*1 /);
      expect(part).toMatch(/Позиция \d*0 +\d+ ₴$/);
    }
    expect(parts.join("\n\n")).toBe(list);
    // The quote goes with the first part; the message is known by the first part's id.
    expect(fake.calls(bot.token, "sendMessage")[0]!.params.reply_parameters).toEqual({
      message_id: first.message_id,
      allow_sending_without_reply: true,
    });
    expect(sent.providerMessageId).toBe(`${from.id}:1001`);
    const [row] = await t.db.query<{ sent_parts: string[] }>(
      "select sent_parts from messages where id = $1",
      [id],
    );
    expect(row!.sent_parts).toEqual([`${from.id}:1001`, `${from.id}:1002`, `${from.id}:1003`]);

    // Telegram fails the second part once (a 502 from its front end): the retry sends parts 2 and 3 only.
    fake.failNext(
      { chatId: from.id, method: "sendMessage", after: 1 },
      { status: 502, raw: "<html><body>502 Bad Gateway</body></html>" },
    );
    const again = await reply(owner, conv.id, { text: list });
    // Part 1's id is in the database before the retry (any worker process would resume after it).
    const [partial] = await waitForRows(() =>
      t.db.query<{ sent_parts: string[] | null }>(
        "select sent_parts from messages where id = $1 and jsonb_array_length(sent_parts) = 1",
        [again],
      ),
    );
    expect(partial!.sent_parts).toEqual([`${from.id}:1004`]);
    const resent = await waitForState(owner, conv.id, again, "sent");
    expect(texts().slice(3)).toEqual([parts[0], parts[1], parts[1], parts[2]]);
    expect(resent.providerMessageId).toBe(`${from.id}:1004`);

    // A caption over 1,024 characters goes as text messages of its own, before the file (which has none).
    const pdf = {
      name: "list.pdf",
      mimeType: "application/pdf",
      size: 99,
      url: "https://cdn.example.com/l.pdf",
    };
    const captioned = await reply(owner, conv.id, { text: list, attachments: [pdf] });
    await waitForState(owner, conv.id, captioned, "sent");
    expect(texts().slice(7)).toEqual(parts);
    expect(fake.calls(bot.token, "sendDocument").map((c) => c.params)).toEqual([
      { chat_id: from.id, document: pdf.url },
    ]);
    const health = await owner.get(`/api/connections/${conv.connection.id}`);
    expect(health.body.connection.health.errorCount).toBe(1);
  });

  it("paces a chat to one message a second, without spending attempts or counting errors", async () => {
    const { owner, bot, from, conv, connection } = await withConversation();
    const sends = () => fake.calls(bot.token, "sendMessage").filter((c) => c.params.chat_id === from.id);
    // The application's clock stands still: a paced message can go only when the test moves it on.
    const start = freeze();
    try {
      const first = await reply(owner, conv.id, { text: "первое" });
      await waitForState(owner, conv.id, first, "sent");
      for (const [i, text] of ["второе", "третье"].entries()) {
        const id = await reply(owner, conv.id, { text });
        // The job decided to wait for the chat's next slot, one second after the previous message's.
        const paced = await waitForJob(id, (j) => j.last_error?.startsWith("Paced") ?? false);
        expect(paced).toMatchObject({
          status: "pending",
          attempts: 0,
          run_at: new Date(start + (i + 1) * 1000),
          last_error: "Paced: the next message can go in 1000 ms.",
        });
        expect(sends()).toHaveLength(i + 1);
        advance(1000);
        const sent = await waitForState(owner, conv.id, id, "sent");
        expect(sent.delivery.sentAt).toBe(new Date(start + (i + 1) * 1000).toISOString());
        await eventually(async () => expect(await jobOf(id)).toMatchObject({ status: "done", attempts: 1 }));
      }
    } finally {
      unfreeze();
    }
    expect(sends().map((c) => c.params.text)).toEqual(["первое", "второе", "третье"]);
    const health = await owner.get(`/api/connections/${connection.id}`);
    expect(health.body.connection.health.errorCount).toBe(0);
  });
});
