-- External bots (R702): a bot is a named participant with a webhook URL. Conversations handed to it send it
-- every customer message (bot_deliveries, in order per conversation); it answers through its own API token
-- (api_tokens.bot_id) and hands over to people; bot_sessions keep what each bot handled for reports.
alter table bots
  add column avatar_url text,
  add column webhook_url text not null default '',
  add column secret_enc text,
  add column time_limit_seconds integer not null default 300 check (time_limit_seconds between 10 and 86400),
  add column handoff_keywords text[] not null default '{}',
  add column created_by uuid references users(id) on delete set null,
  add column updated_at timestamptz not null default now();
create unique index bots_name_key on bots (workspace_id, lower(name));

-- The customer's oldest message the bot has not answered yet: past the bot's time limit, it hands over.
alter table conversations add column bot_waiting_since timestamptz;
create index conversations_bot_waiting_idx on conversations (bot_waiting_since)
  where bot_waiting_since is not null;

-- A bot's token acts as the bot: its replies are authored by the bot, and it reaches only bot routes.
alter table api_tokens add column bot_id uuid references bots(id) on delete cascade;

create table bot_sessions (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  bot_id uuid not null references bots(id) on delete cascade,
  conversation_id uuid not null references conversations(id) on delete cascade,
  started_at timestamptz not null,
  ended_at timestamptz,
  handover_reason text check (handover_reason in ('api', 'keyword', 'timeout', 'agent')),
  handover_note text
);
create index bot_sessions_bot_idx on bot_sessions (workspace_id, bot_id, started_at);
create unique index bot_sessions_open_key on bot_sessions (conversation_id) where ended_at is null;

create table bot_deliveries (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  bot_id uuid not null references bots(id) on delete cascade,
  conversation_id uuid not null references conversations(id) on delete cascade,
  message_id uuid not null references messages(id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed', 'dropped')),
  attempts integer not null default 0,
  next_at timestamptz not null,
  lease_until timestamptz,
  last_error text,
  response_status integer,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index bot_deliveries_pending_idx on bot_deliveries (conversation_id, seq) where status = 'pending';
create index bot_deliveries_bot_idx on bot_deliveries (bot_id, created_at desc);

-- Linked records (R703): a channel connection or a team can create a record in the business's CRM when a new
-- conversation starts, from an HTTP request template. Header values are sealed like channel credentials.
create table linked_record_configs (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  connection_id uuid references channel_connections(id) on delete cascade,
  team_id uuid references teams(id) on delete cascade,
  check ((connection_id is null) <> (team_id is null)),
  enabled boolean not null default true,
  method text not null check (method in ('POST', 'PUT', 'PATCH')),
  url text not null,
  header_names text[] not null default '{}',
  headers_enc text,
  body_template text not null,
  id_path text not null,
  url_path text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index linked_record_configs_connection_key on linked_record_configs (connection_id)
  where connection_id is not null;
create unique index linked_record_configs_team_key on linked_record_configs (team_id) where team_id is not null;

create table linked_records (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  conversation_id uuid not null references conversations(id) on delete cascade,
  contact_id uuid not null references contacts(id) on delete cascade,
  config_id uuid references linked_record_configs(id) on delete set null,
  status text not null default 'pending' check (status in ('pending', 'created', 'failed')),
  external_id text,
  external_url text,
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index linked_records_conversation_config_key on linked_records (conversation_id, config_id);
create index linked_records_contact_idx on linked_records (contact_id, created_at desc);
