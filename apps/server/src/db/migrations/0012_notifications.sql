-- Agent notifications (R304, R401–R403): per-agent settings, read-notification rules, the notification
-- centre, deliveries by email and Web Push, and the VAPID key pair.

-- One row per agent who changed a default. `matrix` is {event: {inApp, push, email}} for the events the
-- agent set; missing entries take the defaults in code.
create table notification_settings (
  user_id uuid primary key references users(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  matrix jsonb not null default '{}',
  sound boolean not null default true,
  dnd boolean not null default false,
  -- Quiet hours as minutes after local midnight; null: none.
  quiet_from smallint check (quiet_from between 0 and 1439),
  quiet_to smallint check (quiet_to between 0 and 1439),
  time_zone text not null default 'UTC',
  paused_until timestamptz,
  email_mode text not null default 'batched' check (email_mode in ('batched', 'daily', 'weekly')),
  digest_hour smallint not null default 8 check (digest_hour between 0 and 23),
  updated_at timestamptz not null default now()
);

-- Workspace-wide policy: who may receive read notifications and who may manage their own rules.
-- An audience is {roles: [], teamIds: [], userIds: []}; null: everyone.
create table notification_policies (
  workspace_id uuid primary key references workspaces(id) on delete cascade,
  read_receive jsonb,
  read_manage jsonb,
  updated_at timestamptz not null default now()
);

-- Read-notification rules (R304): an agent's own (owner_id) or the workspace's (owner_id null, with the
-- recipients it applies to).
create table notification_rules (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  owner_id uuid references users(id) on delete cascade,
  recipients jsonb,
  match text not null check (match in ('all', 'important', 'tag', 'channel')),
  tag_id uuid references tags(id) on delete cascade,
  connection_id uuid references channel_connections(id) on delete cascade,
  means text[] not null,
  timing text not null check (timing in ('immediate', 'delay', 'daily', 'weekly')),
  delay_minutes integer not null default 0 check (delay_minutes between 0 and 10080),
  created_at timestamptz not null default now()
);
create index notification_rules_ws_idx on notification_rules (workspace_id, owner_id);

-- Messages marked important (a read-notification rule can match only those).
create table important_messages (
  message_id uuid primary key references messages(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  marked_by uuid references users(id) on delete set null,
  created_at timestamptz not null default now()
);

create table conversation_mutes (
  user_id uuid not null references users(id) on delete cascade,
  conversation_id uuid not null references conversations(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (user_id, conversation_id)
);

-- The notification centre. `dedupe_key` makes a repeated trigger (a read report seen twice) one notification.
create table notifications (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  kind text not null,
  conversation_id uuid references conversations(id) on delete cascade,
  message_id uuid,
  title text not null,
  body text not null,
  alert boolean not null,
  dedupe_key text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  unique (user_id, dedupe_key)
);
create index notifications_user_idx on notifications (user_id, created_at desc, id desc);
create index notifications_unread_idx on notifications (user_id) where read_at is null;

create table push_subscriptions (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  endpoint text not null unique,
  p256dh text not null,
  auth text not null,
  created_at timestamptz not null default now()
);
create index push_subscriptions_user_idx on push_subscriptions (user_id);

-- One row per notification per way out: an email (batched or in a digest) or a push to one subscription.
create table notification_deliveries (
  id bigint generated always as identity primary key,
  notification_id uuid not null references notifications(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  conversation_id uuid,
  means text not null check (means in ('email', 'push')),
  mode text not null check (mode in ('batched', 'daily', 'weekly', 'push')),
  subscription_id uuid references push_subscriptions(id) on delete set null,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
  error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index notification_deliveries_pending_idx on notification_deliveries (user_id, mode, conversation_id)
  where status in ('pending', 'sending');

-- When the last batched email about a conversation went to an agent (at most one per interval).
create table notification_email_state (
  user_id uuid not null references users(id) on delete cascade,
  conversation_id uuid not null,
  last_sent_at timestamptz not null,
  primary key (user_id, conversation_id)
);

-- The server's VAPID key pair, generated once (the private key sealed under SECRET_KEY).
create table vapid_keys (
  id smallint primary key check (id = 1),
  public_key text not null,
  private_key_sealed text not null,
  created_at timestamptz not null default now()
);
