-- Core schema: workspaces, people, contacts, channels, conversations, messages, receipts, events, jobs.
create extension if not exists pg_trgm;

create table workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- Allocates the per-workspace domain event sequence; the row lock orders commits within a workspace.
  -- (Conversation numbers come from a sequence per workspace, conversation_number_<id>, which holds no lock.)
  event_seq bigint not null default 0,
  settings jsonb not null default '{}',
  created_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  email text not null,
  name text not null,
  role text not null check (role in ('owner', 'admin', 'supervisor', 'agent')),
  password_hash text,
  locale text not null default 'en',
  avatar_url text,
  status text not null default 'active' check (status in ('invited', 'active', 'disabled')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));
create index users_workspace_idx on users (workspace_id);

create table sessions (
  id text primary key, -- sha256 of the cookie token; the token itself is never stored
  user_id uuid not null references users(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  csrf_token text not null,
  ip text,
  user_agent text,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);

create table invitations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  email text not null,
  role text not null check (role in ('admin', 'supervisor', 'agent')),
  token_hash text not null unique,
  invited_by uuid references users(id) on delete set null,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  created_at timestamptz not null default now()
);
create index invitations_workspace_idx on invitations (workspace_id);

create table teams (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  created_at timestamptz not null default now()
);
create unique index teams_name_key on teams (workspace_id, lower(name));

create table team_members (
  team_id uuid not null references teams(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  primary key (team_id, user_id)
);
create index team_members_user_idx on team_members (user_id);

create table bots (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  created_at timestamptz not null default now()
);

create table contacts (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text,
  nickname text,
  email text,
  phone text,
  company text,
  avatar_url text,
  attributes jsonb not null default '{}',
  blocked_at timestamptz,
  search_text text generated always as (
    lower(coalesce(name, '') || ' ' || coalesce(nickname, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, ''))
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index contacts_workspace_idx on contacts (workspace_id, created_at desc);
create index contacts_search_trgm on contacts using gin (search_text gin_trgm_ops);

create table channel_connections (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  type text not null,
  name text not null,
  -- AES-256-GCM ciphertext of the provider credentials (never returned to clients)
  credentials_enc text not null,
  settings jsonb not null default '{}',
  enabled boolean not null default true,
  last_webhook_at timestamptz,
  last_status_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  error_count integer not null default 0,
  retry_after timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index channel_connections_workspace_idx on channel_connections (workspace_id);

create table contact_identities (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  contact_id uuid not null references contacts(id) on delete cascade,
  connection_id uuid not null references channel_connections(id) on delete cascade,
  external_id text not null,
  display_name text,
  created_at timestamptz not null default now(),
  unique (connection_id, external_id)
);
create index contact_identities_contact_idx on contact_identities (contact_id);

create table tags (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  color text not null default '#868e96',
  created_at timestamptz not null default now()
);
create unique index tags_name_key on tags (workspace_id, lower(name));

create table contact_tags (
  contact_id uuid not null references contacts(id) on delete cascade,
  tag_id uuid not null references tags(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  pinned boolean not null default false,
  created_at timestamptz not null default now(),
  primary key (contact_id, tag_id)
);
create index contact_tags_tag_idx on contact_tags (tag_id);

create table conversations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  number bigint not null,
  connection_id uuid not null references channel_connections(id) on delete cascade,
  contact_id uuid not null references contacts(id) on delete cascade,
  identity_id uuid not null references contact_identities(id) on delete cascade,
  status text not null default 'open' check (status in ('open', 'in_progress', 'closed')),
  assignee_id uuid references users(id) on delete set null,
  team_id uuid references teams(id) on delete set null,
  bot_id uuid references bots(id) on delete set null,
  last_activity_at timestamptz not null default now(),
  last_message_id uuid,
  last_message_preview text,
  last_message_author text,
  last_message_direction text,
  last_outbound_state text,
  last_inbound_seq bigint not null default 0,
  first_unanswered_at timestamptz,
  last_customer_message_at timestamptz,
  closed_at timestamptz,
  source jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (workspace_id, number),
  -- one conversation per contact identity on a connection; a new message reopens it (R206)
  unique (identity_id)
);
-- Inbox queries: keyset pagination by (last_activity_at, id), per workspace, with the common filters.
create index conversations_activity_idx on conversations (workspace_id, last_activity_at desc, id desc);
create index conversations_open_activity_idx on conversations (workspace_id, last_activity_at desc, id desc)
  where status <> 'closed';
create index conversations_unassigned_idx on conversations (workspace_id, last_activity_at desc, id desc)
  where assignee_id is null and status <> 'closed';
create index conversations_assignee_idx on conversations (workspace_id, assignee_id, last_activity_at desc, id desc);
create index conversations_unanswered_idx on conversations (workspace_id, first_unanswered_at)
  where first_unanswered_at is not null and status <> 'closed';
create index conversations_contact_idx on conversations (contact_id);
create index conversations_connection_idx on conversations (connection_id, last_activity_at desc);

create table conversation_operators (
  conversation_id uuid not null references conversations(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  added_at timestamptz not null default now(),
  primary key (conversation_id, user_id)
);
create index conversation_operators_user_idx on conversation_operators (user_id);

create table messages (
  id uuid primary key default gen_random_uuid(),
  -- Position in the feed. Inserts into one conversation are serialised by its row lock, so the order of
  -- seq within a conversation is the commit order; read cursors and paging use it.
  seq bigint generated always as identity,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  conversation_id uuid not null references conversations(id) on delete cascade,
  connection_id uuid not null references channel_connections(id) on delete cascade,
  direction text not null check (direction in ('inbound', 'outbound', 'internal')),
  kind text not null check (kind in ('message', 'note', 'event')),
  author_type text not null check (author_type in ('contact', 'user', 'system', 'bot')),
  author_id uuid,
  text text,
  attachments jsonb not null default '[]',
  quoted_message_id uuid references messages(id) on delete set null,
  event jsonb,
  provider_message_id text,
  client_id text,
  delivery_state text check (delivery_state in ('queued', 'sent', 'delivered', 'read', 'failed')),
  queued_at timestamptz,
  sent_at timestamptz,
  delivered_at timestamptz,
  read_at timestamptz,
  failed_at timestamptz,
  failure_reason text,
  failure_detail text,
  created_at timestamptz not null default now()
);
create unique index messages_seq_key on messages (seq);
create index messages_feed_idx on messages (conversation_id, seq);
-- Provider retries never duplicate: one row per provider message id per connection.
create unique index messages_provider_id_key on messages (connection_id, provider_message_id)
  where provider_message_id is not null;
-- An agent's retried send (same client id) never duplicates either.
create unique index messages_client_id_key on messages (conversation_id, author_id, client_id)
  where client_id is not null;

create table read_cursors (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  conversation_id uuid not null references conversations(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  last_read_seq bigint not null default 0,
  marked_unread boolean not null default false,
  read_at timestamptz not null default now(),
  primary key (conversation_id, user_id)
);
create index read_cursors_user_idx on read_cursors (user_id);

create table drafts (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  conversation_id uuid not null references conversations(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  text text not null,
  updated_at timestamptz not null default now(),
  primary key (conversation_id, user_id)
);

create table canned_replies (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  shortcut text not null,
  title text not null,
  text text not null,
  created_by uuid references users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index canned_replies_shortcut_key on canned_replies (workspace_id, lower(shortcut));

create table events (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  seq bigint not null,
  type text not null,
  conversation_id uuid,
  -- Who may receive it: computed when written so fan-out needs no query.
  audience jsonb not null default '{}',
  payload jsonb not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, seq)
);

create table jobs (
  id bigint generated always as identity primary key,
  type text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'running', 'done', 'dead')),
  attempts integer not null default 0,
  max_attempts integer not null default 8,
  run_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  idempotency_key text unique,
  workspace_id uuid references workspaces(id) on delete cascade,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index jobs_due_idx on jobs (run_at) where status = 'pending';
create index jobs_running_idx on jobs (locked_until) where status = 'running';

create table audit_log (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  user_id uuid references users(id) on delete set null,
  action text not null,
  target_type text,
  target_id text,
  data jsonb not null default '{}',
  ip text,
  created_at timestamptz not null default now()
);
create index audit_log_workspace_idx on audit_log (workspace_id, created_at desc);
