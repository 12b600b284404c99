-- Inbox list tools (R102–R107): full-text search of messages, indexes for the list's filters and the
-- processing order, and bulk operations with their progress.

-- Message text search (R104). One vector holds the words as written ('simple': exact and prefix matches in
-- any language, lower-cased, Cyrillic included) and their Russian stems ('russian': inflected forms;
-- English words get the English stemmer through the same configuration). Both configurations exist in
-- PostgreSQL and in the embedded database. Hyphens, plus signs and the dots, slashes and @ of addresses are
-- read as spaces: the parser would otherwise keep "-2096" or "user@example.com" as one signed or whole
-- token that the words of a query never match. The vector is stored: a search that walks the newest
-- messages checks it without parsing the text again, and ANALYZE keeps word statistics on it, so the
-- planner can tell a rare word (use the index) from a common one (walk the newest messages).
alter table messages add column search_tsv tsvector generated always as (
  to_tsvector('simple', translate(coalesce(text, ''), '-+@._/:', '       '))
  || to_tsvector('russian', translate(coalesce(text, ''), '-+@._/:', '       '))
) stored;
create index messages_text_fts on messages using gin (search_tsv) where text is not null;

-- "Any message on a day or in a range" (R102): the conversation's messages by time.
create index messages_conversation_time_idx on messages (conversation_id, created_at);

-- Processing order (R103): waiting customers first, the longest wait first, keyset by (time, id).
create index conversations_waiting_idx on conversations (workspace_id, first_unanswered_at, id)
  where first_unanswered_at is not null and status <> 'closed';

-- Team and bot filters keep the list's keyset order.
create index conversations_team_idx on conversations (workspace_id, team_id, last_activity_at desc, id desc)
  where team_id is not null;
create index conversations_bot_idx on conversations (workspace_id, bot_id, last_activity_at desc, id desc)
  where bot_id is not null;

-- Bulk actions on selected conversations (R106), run by a job a chunk at a time; progress is read back.
create table bulk_operations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  user_id uuid references users(id) on delete set null,
  action text not null check (action in ('close', 'reassign', 'mark_read', 'mark_unread', 'delete')),
  params jsonb not null default '{}',
  conversation_ids uuid[] not null,
  total integer not null,
  done integer not null default 0,
  failed integer not null default 0,
  errors jsonb not null default '[]',
  status text not null default 'running' check (status in ('running', 'completed', 'failed')),
  audit_id bigint,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index bulk_operations_workspace_idx on bulk_operations (workspace_id, created_at desc);

-- conversations_waiting_idx (above) serves the unanswered filter as well, and in order: the older index
-- without the id is dropped.
drop index conversations_unanswered_idx;
