-- Message search vocabulary (R104): the words of each workspace's message vectors, so that the last word of a
-- query, a prefix, can be expanded into the whole words it starts. A GIN index answers a prefix by gathering
-- every message under it into a bitmap before it intersects anything; whole words it intersects by skipping
-- through their posting lists (two words that never occur together cost nothing like the sum of the two).
-- `lexeme` is compared byte-wise (collation "C") so the words starting with a prefix are one range of the
-- primary key.
create table search_lexemes (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  lexeme text collate "C" not null,
  primary key (workspace_id, lexeme)
);

-- How far the vocabulary has read `messages` (by seq, every workspace), and the highest seq the last pass saw
-- committed: the next pass reads up to that one, so a message committed a little after a higher seq is not
-- skipped. Messages above `seq` are searched by their own vectors (the prefix as typed).
create table search_lexeme_progress (
  id boolean primary key default true check (id),
  seq bigint not null,
  seen_seq bigint not null
);

-- The existing messages, one pass per workspace (ts_stat collects a set of distinct words).
insert into search_lexeme_progress (seq, seen_seq)
select coalesce(max(seq), 0), coalesce(max(seq), 0) from messages;

insert into search_lexemes (workspace_id, lexeme)
select w.id, s.word
from workspaces w,
  ts_stat(format('select search_tsv from messages where workspace_id = %L and text is not null', w.id)) s
on conflict do nothing;
