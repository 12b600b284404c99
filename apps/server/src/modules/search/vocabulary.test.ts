import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { advanceSearchVocabulary, anyWordQuery, MAX_PREFIX_WORDS, prefixWords } from "./vocabulary";

const t = useTestServer();

type Conn = Awaited<ReturnType<typeof apiConnection>>;
async function say(conn: Conn, text: string) {
  const r = await conn.post(inbound(unique("c"), text, unique("m")));
  expect(r.status).toBe(200);
  return r.body.results[0] as { conversationId: string; messageId: string };
}
/** A word no other test writes: letters only. */
const fresh = () =>
  `v${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`.replace(
    /[0-9]/g,
    (d) => "abcdefghij"[+d]!,
  );
/** Two passes: the first notes the highest seq, the second reads up to it. */
const catchUp = async () => {
  await advanceSearchVocabulary(t.db);
  return advanceSearchVocabulary(t.db);
};

describe("search vocabulary", () => {
  it("holds each workspace's words once read, up to a watermark; messages above it are still found", async () => {
    const a = await newWorkspace(t);
    const b = await newWorkspace(t);
    const connA = await apiConnection(t, a.owner);
    const connB = await apiConnection(t, b.owner);
    const w = fresh();
    const find = async (q: string) => {
      const r = await a.owner.get(`/api/search/messages?q=${encodeURIComponent(q)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.hits as { message: { id: string } }[]).map((h) => h.message.id);
    };
    const kiwi = await say(connA, `orange ${w}kiwi`);
    await say(connB, `orange ${w}kumquat`);
    // Not read yet: the prefix is searched as typed.
    expect((await prefixWords(t.db, a.workspaceId, w)).words).toEqual([]);
    expect(await find(`orange ${w}k`)).toEqual([kiwi.messageId]);

    const { seq } = await catchUp();
    const [{ max }] = (await t.db.query<{ max: string }>(
      "select max(seq) as max from messages where id = $1",
      [kiwi.messageId],
    )) as [{ max: string }];
    expect(seq).toBeGreaterThanOrEqual(Number(max));
    // Each workspace sees its own words only.
    const read = await prefixWords(t.db, a.workspaceId, w);
    expect(read.words).toEqual([`${w}kiwi`]);
    expect(read.watermark).toBeGreaterThanOrEqual(seq);
    expect((await prefixWords(t.db, b.workspaceId, w)).words).toEqual([`${w}kumquat`]);

    // A message after the watermark: its word is not in the vocabulary, the search still finds it.
    const kiwano = await say(connA, `orange ${w}kiwano`);
    expect((await prefixWords(t.db, a.workspaceId, w)).words).toEqual([`${w}kiwi`]);
    expect(await find(`orange ${w}ki`)).toEqual([kiwano.messageId, kiwi.messageId]);
    expect(await find(`orange ${w}kiwa`)).toEqual([kiwano.messageId]);
    expect(await find(`lemon ${w}ki`)).toEqual([]);
    // Read on the next passes, and found the same way.
    await catchUp();
    expect((await prefixWords(t.db, a.workspaceId, w)).words).toEqual([`${w}kiwano`, `${w}kiwi`]);
    expect(await find(`orange ${w}ki`)).toEqual([kiwano.messageId, kiwi.messageId]);
    expect(await find(`orange ${w}kiwi`)).toEqual([kiwi.messageId]);
  });

  it("leaves a prefix with too many words a prefix", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const w = fresh();
    const many = Array.from({ length: MAX_PREFIX_WORDS + 1 }, (_, i) => `${w}${"abcdefghij"[i % 10]}${i}`);
    const hit = await say(conn, `banana ${many.join(" ")}`);
    await catchUp();
    expect((await prefixWords(t.db, workspaceId, w)).words).toBeNull();
    expect((await prefixWords(t.db, workspaceId, `${w}a`)).words).toHaveLength(6);
    const r = await owner.get(`/api/search/messages?q=${encodeURIComponent(`banana ${w}`)}`);
    expect(r.body.hits.map((h: { message: { id: string } }) => h.message.id)).toEqual([hit.messageId]);
  });

  it("quotes the words of an expanded prefix", async () => {
    expect(anyWordQuery(["a'b", "c\\d", "e"])).toBe("'a''b' | 'c\\\\d' | 'e'");
    const [row] = await t.db.query<{ q: string }>("select $1::tsquery::text as q", [
      anyWordQuery(["it's", "x:*", "a & b"]),
    ]);
    expect(row!.q).toBe("'it''s' | 'x:*' | 'a & b'");
  });
});
