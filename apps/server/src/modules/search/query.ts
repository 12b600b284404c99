import type { Db, Queryable } from "../../db/client";
import { type Actor, can, conversationPolicy, readableConversationsSql } from "../../domain/permissions";
import { type Param, paramsOf } from "../../lib/sql-params";
import {
  accessOf,
  CONVERSATION_FROM,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationFrom,
  presentConversation,
} from "../conversations/present";
import { anyWordQuery, likeText, prefixWords } from "./vocabulary";

/** The message text vector: the stored column `messages.search_tsv` (migration 0009), indexed by GIN. */
export const MESSAGE_TSV = "m.search_tsv";

/** The words of a query: letters and digits only (so they are safe inside to_tsquery), lower-cased, at most 8. */
export function searchWords(q: string): string[] {
  return [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 8);
}

/**
 * A message matches when it has every word: the last one as the start of one of its words (it may still be
 * being typed: "достав" finds "доставка") or by its Russian/English stem, each earlier one by its stem
 * ("доставку" finds "доставка"; a stop word, which has none, as the whole word). Only the last word is a
 * prefix: a GIN index collects every message of a prefix into a bitmap before it can intersect, while whole
 * words are intersected by skipping through their posting lists (two common words that never occur together
 * cost one bitmap, not two).
 */
function tsQuery(
  words: string[],
  p: Param,
  last = (w: string) => `(to_tsquery('simple', ${p(`${w}:*`)}) || to_tsquery('russian', ${p(w)}))`,
) {
  // Parenthesised: `@@` and `&&` have the same precedence.
  const each = words
    .map((w, i) => {
      if (i === words.length - 1) return last(w);
      // A whole word: its stem alone. A message holding the word also holds its stem (both dictionaries read
      // the same tokens), so "word or stem" is the stem, and the index reads one posting list, not two. A stop
      // word has no stem: then the word itself.
      const stem = `to_tsquery('russian', ${p(w)})`;
      return `(case when numnode(${stem}) > 0 then ${stem} else to_tsquery('simple', ${p(w)}) end)`;
    })
    .join(" && ");
  return `(${each})`;
}

/**
 * The index pass's text condition. The last word's prefix is expanded into the whole words of the workspace's
 * vocabulary that start with it (see vocabulary.ts), so GIN's fast scan can skip through them with the earlier
 * words as required entries; messages the vocabulary has not read yet (above its watermark, a bounded range of
 * the newest) are matched by the prefix as typed. Same matches as the prefix query. A prefix with too many
 * words stays a prefix.
 *
 * Words their stem implies are left out ("tracking" is read as 'track' alone, not 'tracking' | 'track'; the
 * word as typed too when it has a stem): each is a posting list as long as a common word's, which the index
 * would merge for nothing.
 */
async function indexCondition(q: Queryable, actor: Actor, words: string[], p: Param) {
  const prefix = words.at(-1)!;
  const { beyondStem, hasStem, watermark } = await prefixWords(q, actor.workspaceId, prefix);
  if (!beyondStem) return `${MESSAGE_TSV} @@ ${tsQuery(words, p)}`;
  const expanded = (w: string) =>
    `(${[
      ...(hasStem ? [] : [`to_tsquery('simple', ${p(w)})`]),
      ...(beyondStem.length ? [`${p(anyWordQuery(beyondStem))}::tsquery`] : []),
      `to_tsquery('russian', ${p(w)})`,
    ].join(" || ")})`;
  return `(${MESSAGE_TSV} @@ ${tsQuery(words, p, expanded)}
    or (m.seq > ${p(watermark)} and ${MESSAGE_TSV} @@ ${tsQuery(words, p)}))`;
}

/** A piece of the text around the first word found, so a long message shows where it matched. */
export function snippet(text: string, words: string[], width = 80): string {
  const lower = text.toLowerCase();
  let at = -1;
  for (const w of words) {
    const i = lower.indexOf(w);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  if (at < 0 || text.length <= width * 2)
    return text.length <= width * 2 ? text : `${text.slice(0, width * 2)}…`;
  const start = Math.max(0, at - width / 2);
  const end = Math.min(text.length, start + width * 2);
  return `${start > 0 ? "…" : ""}${text.slice(start, end)}${end < text.length ? "…" : ""}`;
}

export interface MessageHitRow {
  id: string;
  seq: string | number;
  conversation_id: string;
  text: string;
  direction: "inbound" | "outbound" | "internal";
  kind: "message" | "note" | "event";
  author_type: string;
  created_at: Date;
}

/**
 * How many of the newest messages the bounded pass of a message search looks at. A larger window finds
 * fairly common words without the index but makes every rare word pay for the walk (measured on 1,000,000
 * messages: 5,000 rows cost a few milliseconds, 50,000 over a hundred).
 */
const RECENT_WINDOWS = [5_000];

/** Runs one statement whose parameters start with the workspace and the caller. */
async function query(db: Queryable, actor: Actor, build: (p: Param) => string | Promise<string>) {
  const params: unknown[] = [actor.workspaceId, actor.userId];
  const p = paramsOf(params);
  const sql = await build(p);
  return db.query<MessageHitRow>(sql, params);
}

/** Messages of the conversations the caller may see whose text matches, newest first, keyset by seq (R104). */
export async function searchMessages(
  db: Db,
  actor: Actor,
  q: string,
  opts: { limit: number; before?: number | undefined },
) {
  const words = searchWords(q);
  if (!words.length) return { words, hits: [], nextCursor: null };
  const select = `select m.id, m.seq, m.conversation_id, m.text, m.direction, m.kind, m.author_type, m.created_at`;
  // Managers see every conversation: no join. For agents, the conversation is looked up per match (the
  // fence keeps the planner from hashing every conversation of the workspace for a handful of matches).
  const join = !can(actor, "conversations.view_all")
    ? `join lateral (select c.id, c.assignee_id, c.team_id from conversations c where c.id = m.conversation_id offset 0) c on true`
    : "";
  const conditions = (p: Param, text = `${MESSAGE_TSV} @@ ${tsQuery(words, p)}`) => [
    // $2 (the caller) is a parameter of every statement here: named so its type is known.
    "$2::uuid is not null",
    text,
    ...readableConversationsSql(actor, p),
  ];
  const before = (p: Param) => (opts.before !== undefined ? [`m.seq < ${p(opts.before)}`] : []);
  // A GIN index cannot return rows newest first. A common word is found among the newest messages at
  // once; a rare one would make that walk read the whole workspace. So: look among the newest messages
  // first (bounded walks, checking the stored vector), and only when they hold too few matches ask the
  // index for every match and sort those ("seq + 0" keeps the planner from walking the seq index instead).
  const rows = await db.tx(async (tx) => {
    // A handful of rows: starting parallel workers would cost more than it saves, and compiling the plan
    // (JIT, started by a cost estimate over the whole index) more than running it. Both passes read by index:
    // the newest messages by seq, and the index pass is reached only when the matches are few. A word the
    // column's statistics do not list (a number, a name) is estimated at a share of the table's rows, and a
    // prefix expanded into a dozen such words at a dozen shares: at 10,000,000 messages the embedded database
    // chose a sequential scan of all of them for 1,100 matches (8.6 s).
    await tx.query(
      "select set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)",
    );
    let rows: MessageHitRow[] = [];
    for (const window of RECENT_WINDOWS) {
      rows = await query(
        tx,
        actor,
        (p) => `with recent as (
           select m.* from messages m
           where m.workspace_id = $1 and m.text is not null and m.kind <> 'event' ${before(p)
             .map((c) => `and ${c}`)
             .join(" ")}
           order by m.seq desc limit ${window})
         ${select} from recent m ${join}
         where ${conditions(p).join(" and ")}
         order by m.seq desc limit ${p(opts.limit + 1)}`,
      );
      if (rows.length > opts.limit) break;
    }
    if (rows.length <= opts.limit)
      rows = await query(tx, actor, async (p) => {
        const text = await indexCondition(tx, actor, words, p);
        return `${select} from messages m ${join}
         where m.workspace_id = $1 and m.text is not null and m.kind <> 'event' and ${[...conditions(p, text), ...before(p)].join(" and ")}
         order by m.seq + 0 desc limit ${p(opts.limit + 1)}`;
      });
    return rows;
  });
  const page = rows.slice(0, opts.limit);
  const ids = [...new Set(page.map((r) => r.conversation_id))];
  const conversations = ids.length
    ? await db.query<ConversationRow>(
        `${CONVERSATION_SELECT} ${CONVERSATION_FROM} where c.workspace_id = $1 and c.id = any($2::uuid[])`,
        [actor.workspaceId, ids],
      )
    : [];
  const byId = new Map(
    conversations.map((r) => [r.id, presentConversation(r, conversationPolicy(actor, accessOf(r)))]),
  );
  return {
    words,
    hits: page.flatMap((r) => {
      const conversation = byId.get(r.conversation_id);
      return conversation
        ? [
            {
              message: {
                id: r.id,
                seq: Number(r.seq),
                snippet: snippet(r.text, words),
                direction: r.direction,
                kind: r.kind,
                authorType: r.author_type,
                createdAt: r.created_at.toISOString(),
              },
              conversation,
            },
          ]
        : [];
    }),
    nextCursor: rows.length > opts.limit ? String(page.at(-1)!.seq) : null,
  };
}

/** A query of one word: its similar contacts are found through the workspace's distinct contact words. */
const ONE_WORD = /^[^\s\p{P}\p{S}]+$/u;

/** How many close contact words narrow the contacts read; with more, the contacts' own index is used. */
const MAX_NEAR_WORDS = 50;

/**
 * Contacts whose words come close to the text (and do not contain it), at most 200. A one-word text is first
 * compared with the workspace's distinct contact words (`contact_words`, a few trigram look-ups): none close
 * enough, and nothing else is read; otherwise only the contacts containing one of those words are checked. A
 * longer text has trigrams enough for the contacts' own index.
 */
async function similarContacts(tx: Queryable, workspaceId: string, text: string, like: string) {
  let near: string[] | null = null;
  if (ONE_WORD.test(text)) {
    const words = await tx.query<{ word: string }>(
      `select word from contact_words where workspace_id = $1 and $2 <% word limit $3`,
      [workspaceId, text, MAX_NEAR_WORDS + 1],
    );
    if (!words.length) return [];
    if (words.length <= MAX_NEAR_WORDS) near = words.map((w) => `%${likeText(w.word)}%`);
  }
  return tx.query<{ id: string; score: number }>(
    `select id, score from (
       select x.id, word_similarity($2, x.search_text)::float8 as score from contacts x
       where x.workspace_id = $1 ${near ? "and x.search_text like any ($4::text[])" : ""}
         and $2 <% x.search_text and not x.search_text like $3 limit 200) s`,
    near ? [workspaceId, text, like, near] : [workspaceId, text, like],
  );
}

/**
 * Conversations of the contacts whose name, nickname, email or phone contain the text, or come close to it
 * (trigram word similarity: one wrong letter still finds "Иванова"), best match first (R104).
 */
export async function searchContacts(db: Db, actor: Actor, q: string, limit: number) {
  const text = q.trim().toLowerCase().slice(0, 100);
  if (!text) return { conversations: [] };
  return db.tx(async (tx) => {
    // `<%` keeps the contacts whose words come within this similarity (0.6 by default: too strict for a
    // typo in a short name). Its selectivity is estimated badly, and a sequential scan would compute the
    // similarity for every contact: the trigram index must be used. Both settings last for this transaction.
    await tx.query("select set_config('pg_trgm.word_similarity_threshold', '0.45', true)");
    await tx.query("select set_config('enable_seqscan', 'off', true)");
    await tx.query("select set_config('max_parallel_workers_per_gather', '0', true)");
    const like = `%${likeText(text)}%`;
    // Contacts that contain the text as typed first; the similar ones only when those are too few. Each
    // pass stops after a few hundred contacts, so a common name costs no more than a rare one.
    const exact = await tx.query<{ id: string; score: number }>(
      `select x.id, 2.0::float8 as score from contacts x
       where x.workspace_id = $1 and x.search_text like $2 limit 200`,
      [actor.workspaceId, like],
    );
    const similar = exact.length >= limit ? [] : await similarContacts(tx, actor.workspaceId, text, like);
    const found = [...exact, ...similar];
    if (!found.length) return { conversations: [] };
    const params: unknown[] = [
      actor.workspaceId,
      actor.userId,
      found.map((f) => f.id),
      found.map((f) => f.score),
    ];
    const p = paramsOf(params);
    const rows = await tx.query<ConversationRow>(
      `with found as (select * from unnest($3::uuid[], $4::float8[]) as f(id, score))
       ${CONVERSATION_SELECT} ${conversationFrom()}
       join found f on f.id = c.contact_id
       where c.workspace_id = $1 and $2::uuid is not null
         ${readableConversationsSql(actor, p)
           .map((v) => `and ${v}`)
           .join(" ")}
       order by f.score desc, c.last_activity_at desc, c.id
       limit ${p(limit)}`,
      params,
    );
    return { conversations: rows.map((r) => presentConversation(r, conversationPolicy(actor, accessOf(r)))) };
  });
}

/** The messages of one conversation whose text matches, oldest first (search inside a conversation, R104). */
export async function searchConversation(db: Db, conversationId: string, q: string) {
  const words = searchWords(q);
  if (!words.length) return { words, hits: [] };
  const params: unknown[] = [conversationId];
  const p = paramsOf(params);
  const rows = await db.query<{ id: string; seq: string | number; created_at: Date }>(
    `select m.id, m.seq, m.created_at from messages m
     where m.conversation_id = $1 and m.text is not null and m.kind <> 'event' and ${MESSAGE_TSV} @@ ${tsQuery(words, p)}
     order by m.seq limit 500`,
    params,
  );
  return {
    words,
    hits: rows.map((r) => ({ id: r.id, seq: Number(r.seq), createdAt: r.created_at.toISOString() })),
  };
}
