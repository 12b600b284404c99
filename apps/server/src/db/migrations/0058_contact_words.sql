-- Contact search with a typo (R104): the distinct words of each workspace's contacts' search text (split at
-- spaces and punctuation), with a trigram index. A one-word query is compared with
-- these words first: a short word's few trigrams are shared by thousands of contacts ("brwn" by every
-- "Brown"), and checking each of them for similarity costs seconds when none is close enough; the distinct
-- words sharing them are a handful.
create table contact_words (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  word text not null,
  primary key (workspace_id, word)
);
create index contact_words_trgm on contact_words using gin (workspace_id, word gin_trgm_ops);

insert into contact_words (workspace_id, word)
select distinct x.workspace_id, w.word
from contacts x, regexp_split_to_table(x.search_text, '[[:space:][:punct:]]+') w(word)
where w.word <> ''
on conflict do nothing;

-- New and changed contacts add their words (words no contact has any more stay: they only cost a look-up).
-- Inserts are handled per statement (a batch of contacts is one insert), changes per row when the text changed.
create function contact_words_add() returns trigger language plpgsql as $$
begin
  insert into contact_words (workspace_id, word)
  select distinct x.workspace_id, w.word
  from added x, regexp_split_to_table(x.search_text, '[[:space:][:punct:]]+') w(word)
  where w.word <> ''
  on conflict do nothing;
  return null;
end;
$$;
create trigger contacts_words_insert after insert on contacts
  referencing new table as added for each statement execute function contact_words_add();

create function contact_words_change() returns trigger language plpgsql as $$
begin
  insert into contact_words (workspace_id, word)
  select distinct new.workspace_id, w.word
  from regexp_split_to_table(new.search_text, '[[:space:][:punct:]]+') w(word)
  where w.word <> ''
  on conflict do nothing;
  return null;
end;
$$;
create trigger contacts_words_update after update on contacts
  for each row when (old.search_text is distinct from new.search_text) execute function contact_words_change();
