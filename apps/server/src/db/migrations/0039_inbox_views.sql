-- Saved filters: a person's named filter sets for the inbox, private to them.
create table saved_filters (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  name text not null,
  -- The inbox's URL parameters (view, channel, status, …) the filter restores; validated on the way in.
  params jsonb not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index saved_filters_name_key on saved_filters (user_id, lower(name));

-- The first-run checklist, put away by one person.
create table first_run_dismissals (
  user_id uuid primary key references users(id) on delete cascade,
  dismissed_at timestamptz not null
);

-- The views' counts read every open conversation of a workspace once: this index holds the columns they
-- test, so the count is answered from the index (plus the caller's read cursors) instead of the table.
create index conversations_open_counts_idx on conversations (workspace_id)
  include (assignee_id, team_id, last_inbound_seq, first_unanswered_at)
  where status <> 'closed';
