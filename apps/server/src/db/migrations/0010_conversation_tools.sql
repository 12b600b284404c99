-- Tasks, calendar events and reminders created from a conversation (R212). A reminder fires once at
-- remind_at (a job scheduled for that time); reminded_at records that it did.
create table tasks (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  kind text not null check (kind in ('task', 'event', 'reminder')),
  title text not null,
  notes text,
  conversation_id uuid references conversations(id) on delete set null,
  contact_id uuid references contacts(id) on delete set null,
  assignee_id uuid not null references users(id) on delete cascade,
  created_by uuid references users(id) on delete set null,
  due_at timestamptz,
  ends_at timestamptz,
  remind_at timestamptz,
  reminded_at timestamptz,
  done_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- "My tasks": the open ones first by due time, then the done ones.
create index tasks_assignee_idx on tasks (workspace_id, assignee_id, (done_at is not null), due_at nulls last, id);
create index tasks_conversation_idx on tasks (conversation_id) where conversation_id is not null;

-- Links between contacts (the same person known twice, a colleague, ...): one row per pair, the smaller id
-- first, so a link is found from either side and never duplicated. Unlinking removes only the row.
create table contact_links (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  contact_a uuid not null references contacts(id) on delete cascade,
  contact_b uuid not null references contacts(id) on delete cascade,
  created_by uuid references users(id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (contact_a, contact_b),
  check (contact_a < contact_b)
);
create index contact_links_b_idx on contact_links (contact_b);

-- Files agents upload carry the conversation they were uploaded for and who uploaded them.
alter table files add column uploaded_by uuid references users(id) on delete set null;
