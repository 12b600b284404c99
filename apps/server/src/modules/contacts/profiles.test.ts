import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import { startTelegramFake, type TelegramFake } from "../../testing/fakes/telegram";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

let fake: TelegramFake;
beforeAll(async () => {
  fake = await startTelegramFake();
});
afterAll(async () => {
  await fake.close();
});
const t = useTestServer(() => ({ env: { TELEGRAM_API_BASE: fake.url } }));

/** Links to a contact's network profiles (R211), built from what the channel told us. */
describe("contact profile links", () => {
  it("links a Telegram sender by username, none for an API contact, 404 for another workspace's contact", async () => {
    const { owner } = await newWorkspace(t);
    const bot = fake.newBot();
    const created = await owner.post("/api/connections", {
      type: "telegram",
      name: "Shop bot",
      credentials: { botToken: bot.token },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const from = { id: 712_000_001, is_bot: false, first_name: "Анна", username: "anna_petrova_shop" };
    const r = await fake.pushUpdate(bot.token, {
      message: {
        message_id: 1,
        from,
        chat: { id: from.id, type: "private", first_name: from.first_name, username: from.username },
        date: 1_700_000_000,
        text: "Здравствуйте",
      },
    });
    expect(r.status).toBe(200);
    const tg = await eventually(
      async () => {
        const list = (await owner.get("/api/conversations")).body.conversations as any[];
        const found = list.find((c) => c.connection.type === "telegram");
        if (!found) throw new Error("no Telegram conversation yet");
        return found;
      },
      { what: "the Telegram conversation" },
    );
    const profiles = await owner.get(`/api/contacts/${tg.contact.id}/profiles`);
    expect(profiles.status).toBe(200);
    expect(profiles.body.profiles).toEqual([
      {
        connectionId: created.body.connection.id,
        channel: "telegram",
        connectionName: "Shop bot",
        url: "https://t.me/anna_petrova_shop",
      },
    ]);

    const conn = await apiConnection(t, owner);
    const api = await conn.post(inbound(unique("c"), "hi"));
    const apiConversation = (await owner.get(`/api/conversations/${api.body.results[0].conversationId}`)).body
      .conversation;
    expect((await owner.get(`/api/contacts/${apiConversation.contact.id}/profiles`)).body.profiles).toEqual(
      [],
    );

    const other = await newWorkspace(t);
    const refused = await other.owner.get(`/api/contacts/${tg.contact.id}/profiles`);
    expect(refused.status).toBe(404);
  });
});
