import type { Db, Queryable } from "../../db/client";

/**
 * The message search vocabulary (`search_lexemes`, migration 0057): every word of each workspace's message
 * vectors, so the last word of a query (a prefix) can be expanded into the whole words it starts, which the
 * GIN index intersects with the other words by skipping through posting lists instead of gathering every
 * message of the prefix into a bitmap.
 *
 * A scheduled pass reads the messages added since its watermark (`search_lexeme_progress.seq`), set-based, a
 * range of seqs per statement; nothing is done per message on the ingest path. It reads up to the highest seq
 * the previous pass saw (a message whose transaction took its seq before a higher one committed is not
 * skipped); messages above the watermark are searched by their own vectors. A message whose text changes
 * (an edited comment) adds its words at once: its seq is already behind the watermark.
 */

/**
 * Messages (a range of seqs) read per statement: a few tens of milliseconds of the database's time. A pass
 * of a busy minute holds tens of thousands of messages; read in one statement of 20,000 they took 0.3–0.4 s
 * of a core at once, which every webhook of that moment waited behind on a two-core machine.
 */
const BATCH = 2_000;

/**
 * After each statement the pass rests as long as the statement took: it uses at most half of the database's
 * time, however far behind it is (a large import catches up at half speed rather than holding the inbox).
 * A stopping worker ends the rest at once.
 */
const rest = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** The words of the messages `m`, one row `l.lexeme` per word of each message (a FROM list). */
const MESSAGE_WORDS = "messages m, unnest(tsvector_to_array(m.search_tsv)) l(lexeme)";

/** What separates a contact's words in its search text (a regular expression; migration 0058 splits alike). */
const CONTACT_WORD_SEPARATOR = "'[[:space:][:punct:]]+'";

/** Adds to the vocabulary the words of the messages with text that `where` picks. */
function addWordsOf(q: Queryable, where: string, params: unknown[]) {
  return q.query(
    `insert into search_lexemes (workspace_id, lexeme)
     select distinct m.workspace_id, l.lexeme from ${MESSAGE_WORDS}
     where ${where} and m.text is not null
     order by 1, 2
     on conflict do nothing`,
    params,
  );
}

/**
 * Reads the messages up to the highest seq the previous pass saw, then notes the highest one now. With
 * `signal` aborted (the worker stops), the pass ends after the statement under way; each statement keeps its
 * progress, so the next pass goes on from there.
 */
export async function advanceSearchVocabulary(
  db: Db,
  {
    batch = BATCH,
    resting = true,
    signal,
  }: { batch?: number; resting?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<{ seq: number }> {
  const [state] = await db.query<{ seq: string | number; seen_seq: string | number }>(
    "select seq, seen_seq from search_lexeme_progress",
  );
  let seq = Number(state?.seq ?? 0);
  const target = Number(state?.seen_seq ?? 0);
  while (seq < target) {
    if (signal?.aborted) return { seq };
    const from = seq;
    const upto = Math.min(target, from + batch);
    const started = performance.now();
    await db.tx(async (tx) => {
      await addWordsOf(tx, "m.seq > $1 and m.seq <= $2", [from, upto]);
      await tx.query("update search_lexeme_progress set seq = $2 where seq = $1", [from, upto]);
    });
    seq = upto;
    if (resting && seq < target) await rest(performance.now() - started, signal);
  }
  await db.query(
    "update search_lexeme_progress set seen_seq = greatest(seen_seq, (select coalesce(max(seq), 0) from messages))",
  );
  return { seq };
}

/** Adds the words of a message whose text changed (its seq may be behind the watermark). */
export async function addMessageWords(q: Queryable, messageId: string) {
  await addWordsOf(q, "m.id = $1", [messageId]);
}

/** How many whole words a prefix may expand into; a prefix with more is searched as a prefix. */
export const MAX_PREFIX_WORDS = 50;

/** The highest code point: every string that starts with `p` sorts (byte-wise) below `p` followed by it. */
const TOP = String.fromCodePoint(0x10ffff);

/** What `prefixWords` finds for the last word of a query. */
export interface PrefixWords {
  /** The whole words that start with the prefix; null when there are more than the limit. */
  words: string[] | null;
  /**
   * Those of `words` that their stem does not imply. A message holding a word also holds its stem (the
   * `simple` and `russian` dictionaries read the same tokens), so a word is implied when its stem is the
   * prefix's stem (which the search matches anyway) or another word of the list that stays: for "tracking",
   * "tracking" and "trackings" are implied by 'track', "trackingnumber" by "trackingnumb", which stays.
   * Null with `words`.
   */
  beyondStem: string[] | null;
  /** Whether the prefix itself has a stem (a stop word has none): only then are the other words implied. */
  hasStem: boolean;
  /** Messages above this seq are not yet in the vocabulary. */
  watermark: number;
}

/**
 * The whole words of the workspace's vocabulary that start with `prefix` (none when there are more than
 * `max`), those of them its stem does not already imply, and the watermark.
 */
export async function prefixWords(
  q: Queryable,
  workspaceId: string,
  prefix: string,
  max = MAX_PREFIX_WORDS,
): Promise<PrefixWords> {
  const [row] = await q.query<{
    seq: string | number | null;
    words: string[];
    beyondStem: string[];
    stem: string;
  }>(
    // A word may be left out when its stem is the prefix's stem, or another word of the list that is its own
    // stem (and so stays): the messages holding the word hold that stem. Stems are compared as tsquery text,
    // which quotes the lexeme; a word whose text would be quoted otherwise is simply kept.
    `with v as (select x.lexeme, quote_literal(x.lexeme) as quoted,
                       plainto_tsquery('russian', x.lexeme)::text as stem
                from (select lexeme from search_lexemes
                      where workspace_id = $1 and lexeme >= $2 and lexeme < $3 order by lexeme limit $4) x),
          s as (select plainto_tsquery('russian', $2)::text as stem)
     select (select seq from search_lexeme_progress) as seq, s.stem,
       array(select lexeme from v order by lexeme) as words,
       array(select v.lexeme from v
             where v.stem = '' or v.stem = v.quoted
                or not (v.stem = s.stem
                        or exists (select 1 from v k where k.quoted = v.stem and k.stem = k.quoted))
             order by v.lexeme) as "beyondStem"
     from s`,
    [workspaceId, prefix, `${prefix}${TOP}`, max + 1],
  );
  const starts = (list: string[] | undefined) => (list ?? []).filter((w) => w.startsWith(prefix));
  const words = starts(row?.words);
  const tooMany = words.length > max;
  return {
    words: tooMany ? null : words,
    beyondStem: tooMany ? null : starts(row?.beyondStem),
    hasStem: Boolean(row?.stem),
    watermark: Number(row?.seq ?? 0),
  };
}

/** Escapes LIKE's wildcards so the text is matched as written. */
export const likeText = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A tsquery (as text) matching any of the words exactly: each quoted, so nothing in it is query syntax. */
export function anyWordQuery(words: string[]): string {
  return words.map((w) => `'${w.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`).join(" | ");
}

/** The words of some conversations' messages and of a contact, read before they are deleted. */
export interface HeldWords {
  lexemes: string[];
  contactWords: string[];
}

/** How many of the newest messages are read at once to keep the words still in use out of the per-word probes. */
const RECENT = 5_000;

/**
 * Reads the search words that the given conversations' messages (and the contact, when given) hold, so that
 * `forgetWords` can remove those no other message or contact has once they are deleted (R213, R307: what is
 * deleted for good leaves no word behind in the vocabularies).
 */
export async function heldWords(
  q: Queryable,
  workspaceId: string,
  conversationIds: string[],
  contactId?: string,
): Promise<HeldWords> {
  const [row] = await q.query<HeldWords>(
    `select
       array(select distinct l.lexeme from ${MESSAGE_WORDS}
             where m.workspace_id = $1 and m.conversation_id = any($2::uuid[]) and m.text is not null) as "lexemes",
       array(select distinct w.word from contacts x,
               regexp_split_to_table(x.search_text, ${CONTACT_WORD_SEPARATOR}) w(word)
             where x.workspace_id = $1 and x.id = $3 and w.word <> '') as "contactWords"`,
    [workspaceId, conversationIds, contactId ?? null],
  );
  return { lexemes: row?.lexemes ?? [], contactWords: row?.contactWords ?? [] };
}

/**
 * After the rows are deleted: removes the held words that no remaining message (or contact) of the workspace
 * has. Words among the newest messages are in use and need no look-up; each other one is one whole-word probe
 * of the text index (a rare word's posting list is short), and each contact word one trigram probe.
 */
export async function forgetWords(q: Queryable, workspaceId: string, held: HeldWords, recent = RECENT) {
  if (held.lexemes.length) {
    const [newest] = await q.query<{ lexemes: string[] }>(
      `select array(select distinct l.lexeme
                    from (select search_tsv from messages where workspace_id = $1 and text is not null
                          order by seq desc limit $2) r,
                         unnest(tsvector_to_array(r.search_tsv)) l(lexeme)) as lexemes`,
      [workspaceId, recent],
    );
    const inUse = new Set(newest?.lexemes ?? []);
    for (const lexeme of held.lexemes.filter((l) => !inUse.has(l)))
      await q.query(
        `delete from search_lexemes where workspace_id = $1 and lexeme = $2
           and not exists (select 1 from messages m where m.workspace_id = $1 and m.search_tsv @@ $3::tsquery)`,
        [workspaceId, lexeme, anyWordQuery([lexeme])],
      );
  }
  for (const word of held.contactWords)
    await q.query(
      `delete from contact_words where workspace_id = $1 and word = $2
         and not exists (select 1 from contacts x where x.workspace_id = $1 and x.search_text like $3
                           and $2 = any (regexp_split_to_array(x.search_text, ${CONTACT_WORD_SEPARATOR})))`,
      [workspaceId, word, `%${likeText(word)}%`],
    );
}
