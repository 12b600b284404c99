-- Instagram mentions (R451): the account was @mentioned in a comment or in a post's caption on someone else's
-- media. The webhook carries only ids; each mention is recorded here in the webhook's transaction (once: Meta's
-- retries find it) and read by a job, which stores it as a message of a comment conversation about the media.
create table instagram_mentions (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  connection_id uuid not null references channel_connections(id) on delete cascade,
  media_id text not null,
  -- The comment the account was mentioned in; null: mentioned in the media's caption.
  comment_id text,
  state text not null default 'pending' check (state in ('pending', 'stored', 'failed')),
  -- The message it became (also for a mention that could not be read: the failure is kept on it).
  message_id uuid references messages(id) on delete set null,
  error text,
  received_at timestamptz not null,
  updated_at timestamptz not null
);
-- One row per mention: per comment, or per media for a caption mention.
create unique index instagram_mentions_key on instagram_mentions (connection_id, coalesce(comment_id, ''), media_id);
create index instagram_mentions_workspace_idx on instagram_mentions (workspace_id);
