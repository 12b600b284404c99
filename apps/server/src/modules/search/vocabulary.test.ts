import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import {
  advanceSearchVocabulary,
  anyWordQuery,
  forgetWords,
  heldWords,
  MAX_PREFIX_WORDS,
  prefixWords,
} from "./vocabulary";

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

  it("leaves out of an expanded prefix the words its stem implies, and finds the same messages", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const w = fresh();
    const find = async (q: string) => {
      const r = await owner.get(`/api/search/messages?q=${encodeURIComponent(q)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.hits as { message: { id: string } }[]).map((h) => h.message.id).sort();
    };
    const ids = [];
    for (const word of ["track", "tracked", "tracking", "trackings", "trackingnumber"])
      ids.push((await say(conn, `parcel ${w}${word}`)).messageId);
    await say(conn, `letter ${w}tracking`);
    const [, tracked, tracking, trackings, number] = ids;
    // Matched by the prefix as typed (nothing read yet): the word's stem and every word it starts.
    const asTyped = await find(`parcel ${w}tracking`);
    expect(asTyped).toEqual([tracked, tracking, trackings, number, ids[0]].sort());

    await catchUp();
    const read = await prefixWords(t.db, workspaceId, `${w}tracking`);
    // The vocabulary holds stems too ("…trackingnumb").
    expect(read.words).toEqual([`${w}tracking`, `${w}trackingnumb`, `${w}trackingnumber`, `${w}trackings`]);
    // "…tracking" and "…trackings" have the stem "…track", which the search reads anyway; "…trackingnumber"
    // has "…trackingnumb", which stays.
    expect(read.hasStem).toBe(true);
    expect(read.beyondStem).toEqual([`${w}trackingnumb`]);
    expect(await find(`parcel ${w}tracking`)).toEqual(asTyped);
    expect(await find(`parcel ${w}trackingn`)).toEqual([number]);
    // A stop word has no stem, so the word itself is read; its longer words may still imply each other.
    const themes = (await say(conn, "parcel the themes")).messageId;
    await catchUp();
    const stop = await prefixWords(t.db, workspaceId, "the");
    expect(stop.hasStem).toBe(false);
    expect(stop.words).toEqual(["the", "theme", "themes"]);
    expect(stop.beyondStem).toEqual(["the", "theme"]);
    expect(await find("parcel the")).toEqual([themes]);
    expect(await find("parcel themes")).toEqual([themes]);
  });

  it("quotes the words of an expanded prefix", async () => {
    expect(anyWordQuery(["a'b", "c\\d", "e"])).toBe("'a''b' | 'c\\\\d' | 'e'");
    const [row] = await t.db.query<{ q: string }>("select $1::tsquery::text as q", [
      anyWordQuery(["it's", "x:*", "a & b"]),
    ]);
    expect(row!.q).toBe("'it''s' | 'x:*' | 'a & b'");
  });

  it("forgets the words only a deleted conversation or an erased contact held, and keeps the others", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const [gone, erased, kept, shared] = [fresh(), fresh(), fresh(), fresh()];
    const lexemes = async () =>
      (
        await t.db.query<{ lexeme: string }>(
          "select lexeme from search_lexemes where workspace_id = $1 and lexeme = any($2::text[]) order by 1",
          [workspaceId, [gone, erased, kept, shared]],
        )
      ).map((r) => r.lexeme);
    const contactWords = async () =>
      (
        await t.db.query<{ word: string }>(
          "select word from contact_words where workspace_id = $1 and word = any($2::text[]) order by 1",
          [workspaceId, [`${erased}name`, `${kept}name`, "zed"]],
        )
      ).map((r) => r.word);
    const one = await say(conn, `${gone} ${shared}`);
    await say(conn, `${kept} ${shared}`);
    const customer = unique("c");
    const r = await conn.post(
      inbound(customer, `${erased} ${shared}`, unique("m"), {
        contact: { id: customer, name: `Zed ${erased}name` },
      }),
    );
    const other = unique("c");
    await conn.post(
      inbound(other, "hello", unique("m"), { contact: { id: other, name: `Zed ${kept}name` } }),
    );
    await catchUp();
    expect(await lexemes()).toEqual([gone, erased, kept, shared].sort());
    expect(await contactWords()).toEqual([`${erased}name`, `${kept}name`, "zed"].sort());

    expect((await owner.delete(`/api/conversations/${one.conversationId}`)).status).toBe(204);
    expect(await lexemes()).toEqual([erased, kept, shared].sort());

    const [row] = await t.db.query<{ contact_id: string }>(
      "select contact_id from conversations where id = $1",
      [r.body.results[0].conversationId],
    );
    expect((await owner.delete(`/api/contacts/${row!.contact_id}/data`)).status).toBe(200);
    expect(await lexemes()).toEqual([kept, shared].sort());
    // The other contact still has "zed".
    expect(await contactWords()).toEqual([`${kept}name`, "zed"].sort());
  });

  it("keeps a word a message beyond the newest ones still has, found by the text index", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const [still, alone] = [fresh(), fresh()];
    await say(conn, still);
    await catchUp();
    // A word whose last message is gone.
    await t.db.query("insert into search_lexemes (workspace_id, lexeme) values ($1, $2)", [
      workspaceId,
      alone,
    ]);
    // Held by something deleted elsewhere; no look-up among the newest messages (none are read).
    await forgetWords(t.db, workspaceId, { lexemes: [still, alone], contactWords: [] }, 0);
    const left = await t.db.query<{ lexeme: string }>(
      "select lexeme from search_lexemes where workspace_id = $1 and lexeme = any($2::text[])",
      [workspaceId, [still, alone]],
    );
    expect(left.map((r) => r.lexeme)).toEqual([still]);
    expect((await heldWords(t.db, workspaceId, [])).lexemes).toEqual([]);
  });

  it("a pass told to stop ends after the statement under way, keeping its progress for the next pass", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    await catchUp();
    for (let i = 0; i < 4; i++) await say(conn, `${fresh()} stop test`);
    // The first pass notes the highest seq; the next one has at least four messages to read.
    const { seq: from } = await advanceSearchVocabulary(t.db);
    const stopping = new AbortController();
    let statements = 0;
    // The real database; the worker is told to stop as the pass's first statement commits.
    const db: typeof t.db = {
      ...t.db,
      tx: async (fn) => {
        const result = await t.db.tx(fn);
        statements++;
        stopping.abort();
        return result;
      },
    };
    const stopped = await advanceSearchVocabulary(db, { batch: 1, signal: stopping.signal });
    expect(statements).toBe(1);
    expect(stopped.seq).toBe(from + 1);
    const [{ seq: kept }] = (await t.db.query<{ seq: string }>("select seq from search_lexeme_progress")) as [
      { seq: string },
    ];
    expect(Number(kept)).toBe(from + 1);
    // The next pass goes on from there, past the four messages.
    const next = await advanceSearchVocabulary(t.db);
    expect(next.seq).toBeGreaterThanOrEqual(from + 4);
  });
});
