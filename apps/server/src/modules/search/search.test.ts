import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { snippet } from "./query";

const t = useTestServer();

type Conn = Awaited<ReturnType<typeof apiConnection>>;
async function say(conn: Conn, contact: string, text: string, profile: Record<string, string> = {}) {
  const r = await conn.post(inbound(contact, text, unique("m"), { contact: { id: contact, ...profile } }));
  expect(r.status).toBe(200);
  return r.body.results[0] as { conversationId: string; messageId: string };
}
const enc = encodeURIComponent;

describe("search: message text", () => {
  it("finds words case-insensitively, by prefix and by Russian stem, newest first, with a snippet", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const a = await say(conn, unique("c"), "Где моя ДОСТАВКА? Заказ №1542 всё ещё не пришёл");
    const b = await say(conn, unique("c"), "Спасибо за быструю доставку!");
    const c = await say(conn, unique("c"), "Where is my delivery? Order 1542");
    await say(conn, unique("c"), "Привіт, як справи");
    const d = await say(
      conn,
      unique("c"),
      "Call me at +7-900-555-12-34 or write to anna.k@example.com, order-2096",
    );
    const find = async (q: string) => {
      const r = await owner.get(`/api/search/messages?q=${enc(q)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body as {
        words: string[];
        hits: { message: { id: string; snippet: string }; conversation: { id: string } }[];
        nextCursor: string | null;
      };
    };
    // Upper case in the text, lower case in the query and the other way round.
    expect((await find("доставка")).hits.map((h) => h.message.id)).toContain(a.messageId);
    // Stems: "доставку" and "доставка" are one word.
    expect((await find("доставка")).hits.map((h) => h.message.id).sort()).toEqual(
      [a.messageId, b.messageId].sort(),
    );
    expect((await find("ДОСТАВКУ")).hits.map((h) => h.message.id).sort()).toEqual(
      [a.messageId, b.messageId].sort(),
    );
    // Prefixes while typing; several words must all match.
    expect((await find("дост")).hits.map((h) => h.message.id)).toEqual([b.messageId, a.messageId]);
    expect((await find("заказ 1542")).hits.map((h) => h.message.id)).toEqual([a.messageId]);
    // Only the last word is a prefix (it may still be being typed); each word matches as typed or by its
    // stem on its own: "доставку" by the stem of "ДОСТАВКА", "154" as the start of "1542".
    expect((await find("заказ 154")).hits.map((h) => h.message.id)).toEqual([a.messageId]);
    expect((await find("доставку 154")).hits.map((h) => h.message.id)).toEqual([a.messageId]);
    expect((await find("зака 1542")).hits).toEqual([]);
    // Stop words (no stem) before the last word match as written.
    expect((await find("где заказ")).hits.map((h) => h.message.id)).toEqual([a.messageId]);
    expect((await find("where is my order")).hits.map((h) => h.message.id)).toEqual([c.messageId]);
    expect((await find("where is 1542")).hits.map((h) => h.message.id)).toEqual([c.messageId]);
    expect((await find("1542")).hits.map((h) => h.message.id)).toEqual([c.messageId, a.messageId]);
    expect((await find("заказ")).hits.map((h) => h.message.id)).toEqual([a.messageId]);
    expect((await find("deliveries")).hits.map((h) => h.message.id)).toEqual([c.messageId]);
    expect((await find("привіт")).hits).toHaveLength(1);
    // Numbers and addresses inside hyphenated or dotted tokens are found by their parts and as written.
    for (const q of ["555", "+7-900-555", "2096", "order-2096", "anna.k@example.com", "example"])
      expect(
        (await find(q)).hits.map((h) => h.message.id),
        q,
      ).toContain(d.messageId);
    const hit = (await find("заказ")).hits[0]!;
    expect(hit.conversation.id).toBe(a.conversationId);
    expect(hit.message.snippet).toContain("Заказ");
    expect((await find("заказ")).words).toEqual(["заказ"]);
    // Punctuation and operators of the query language are only separators, never syntax.
    expect((await find("доставка & | ! :* ('")).hits).toHaveLength(2);
    expect((await find("   ")).hits).toEqual([]);
    expect((await find("несуществующееслово")).hits).toEqual([]);
  });

  it("pages by cursor and shows agents only the conversations they may see", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const other = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const word = `z${Date.now().toString(36)}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await say(conn, unique("c"), `${word} number ${i}`)).messageId);
    const page1 = await owner.get(`/api/search/messages?q=${word}&limit=3`);
    expect(page1.body.hits.map((h: { message: { id: string } }) => h.message.id)).toEqual(
      made.slice(2).reverse(),
    );
    const page2 = await owner.get(`/api/search/messages?q=${word}&limit=3&cursor=${page1.body.nextCursor}`);
    expect(page2.body.hits.map((h: { message: { id: string } }) => h.message.id)).toEqual(
      made.slice(0, 2).reverse(),
    );
    expect(page2.body.nextCursor).toBeNull();

    const [conv] = await t.db.query<{ conversation_id: string }>(
      "select conversation_id from messages where id = $1",
      [made[0]],
    );
    expect(
      (await owner.post(`/api/conversations/${conv!.conversation_id}/assign`, { assigneeId: other.id }))
        .status,
    ).toBe(200);
    const seen = await agent.client.get(`/api/search/messages?q=${word}&limit=10`);
    expect(seen.body.hits).toHaveLength(4);
    expect(seen.body.hits.map((h: { message: { id: string } }) => h.message.id)).not.toContain(made[0]);
  });
});

describe("search: contacts", () => {
  it("finds a contact by name, nickname, email or phone, tolerating a typo, Cyrillic included", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const ivanova = await say(conn, unique("c"), "hi", {
      name: "Мария Иванова",
      email: "maria.iv@example.com",
    });
    const petrenko = await say(conn, unique("c"), "hi", { name: "Олена Петренко", phone: "+380501234567" });
    const john = await say(conn, unique("c"), "hi", { name: "John Smith", nickname: "jsmith" });
    const find = async (q: string) => {
      const r = await owner.get(`/api/search/contacts?q=${enc(q)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.conversations as { id: string }[]).map((c) => c.id);
    };
    expect(await find("иванова")).toEqual([ivanova.conversationId]);
    expect(await find("ИВАНОВА")).toEqual([ivanova.conversationId]);
    expect(await find("Иваноао")).toContain(ivanova.conversationId); // one wrong letter
    expect(await find("maria.iv@")).toEqual([ivanova.conversationId]);
    expect(await find("0501234")).toEqual([petrenko.conversationId]);
    expect(await find("Петренко")).toEqual([petrenko.conversationId]);
    expect(await find("smith")).toEqual([john.conversationId]);
    expect(await find("100%_")).toEqual([]);
  });
});

describe("search: contacts with a typo", () => {
  it("compares a one-word query with the workspace's contact words, new and changed contacts included", async () => {
    const a = await newWorkspace(t);
    const b = await newWorkspace(t);
    const connA = await apiConnection(t, a.owner);
    const connB = await apiConnection(t, b.owner);
    const tail = Date.now()
      .toString(36)
      .replace(/[0-9]/g, (d) => "klmnopqrst"[+d]!);
    const olga = await say(connA, unique("c"), "hi", { name: `Olga Brownfield${tail}` });
    await say(connB, unique("c"), "hi", { name: `Greta Ashworth${tail}` });
    const find = async (owner: typeof a.owner, q: string) => {
      const r = await owner.get(`/api/search/contacts?q=${enc(q)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.conversations as { id: string }[]).map((c) => c.id);
    };
    const words = async (workspaceId: string) =>
      (
        await t.db.query<{ word: string }>(
          "select word from contact_words where workspace_id = $1 and word like '%' || $2 order by word",
          [workspaceId, tail],
        )
      ).map((r) => r.word);
    expect(await words(a.workspaceId)).toEqual([`brownfield${tail}`]);
    expect(await words(b.workspaceId)).toEqual([`ashworth${tail}`]);
    // One wrong letter, alone or after another word; nothing near; another workspace's contact.
    expect(await find(a.owner, `Brownfeld${tail}`)).toEqual([olga.conversationId]);
    expect(await find(a.owner, `Olga Brownfeld${tail}`)).toEqual([olga.conversationId]);
    expect(await find(a.owner, `Qzxvjkw${tail}`)).toEqual([]);
    expect(await find(a.owner, `Ashwort${tail}`)).toEqual([]);
    // A changed name adds its words.
    const [row] = await t.db.query<{ contact_id: string }>(
      "select contact_id from conversations where id = $1",
      [olga.conversationId],
    );
    await t.db.query("update contacts set name = $2 where id = $1", [
      row!.contact_id,
      `Olga Whitmore${tail}`,
    ]);
    expect(await words(a.workspaceId)).toEqual([`brownfield${tail}`, `whitmore${tail}`]);
    expect(await find(a.owner, `Whitmor${tail}`)).toEqual([olga.conversationId]);
    expect(await find(a.owner, `Brownfeld${tail}`)).toEqual([]);
  });
});

describe("search: inside one conversation", () => {
  it("returns the matching messages' ids in feed order, and 404 for a conversation the caller may not read", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const other = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    const first = await say(conn, contact, "Оплата не прошла");
    await say(conn, contact, "Что-то другое");
    const third = await say(conn, contact, "Повторил оплату, снова ошибка");
    const r = await owner.get(`/api/conversations/${first.conversationId}/search?q=${enc("оплата")}`);
    expect(r.status).toBe(200);
    expect(r.body.hits.map((h: { id: string }) => h.id)).toEqual([first.messageId, third.messageId]);
    expect(r.body.hits[0].seq).toBeLessThan(r.body.hits[1].seq);
    expect(r.body.words).toEqual(["оплата"]);
    await owner.post(`/api/conversations/${first.conversationId}/assign`, { assigneeId: other.id });
    const hidden = await agent.client.get(`/api/conversations/${first.conversationId}/search?q=x`);
    expect(hidden.status).toBe(404);
  });

  it("cuts a snippet around the first match", () => {
    const long = `${"a ".repeat(200)}needle ${"b ".repeat(200)}`;
    const s = snippet(long, ["needle"]);
    expect(s).toContain("needle");
    expect(s.startsWith("…")).toBe(true);
    expect(s.endsWith("…")).toBe(true);
    expect(s.length).toBeLessThan(200);
    expect(snippet("short text", ["text"])).toBe("short text");
  });
});
