-- Business hours: one schedule for the workspace (team_id null) and optionally one per team. `weekly` is a
-- list of { day (ISO weekday 1–7), from "HH:MM", to "HH:MM" } (to ≤ from runs past midnight); `holidays`
-- a list of { date "YYYY-MM-DD", name }. No row for the workspace: always open. A team without a row uses
-- the workspace's.
create table business_hours (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  team_id uuid references teams(id) on delete cascade,
  time_zone text not null,
  weekly jsonb not null,
  holidays jsonb not null default '[]',
  updated_at timestamptz not null
);
create unique index business_hours_workspace_key on business_hours (workspace_id) where team_id is null;
create unique index business_hours_team_key on business_hours (team_id) where team_id is not null;

-- The automatic reply sent outside business hours, per channel connection: `texts` is { en, ru, uk } (any
-- of them); `language` names the one sent (the contact's language is not known on most channels).
create table outside_hours_replies (
  connection_id uuid primary key references channel_connections(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  enabled boolean not null default true,
  texts jsonb not null,
  language text not null default 'en',
  updated_at timestamptz not null
);

-- At most one automatic reply per conversation and closed period: the period is named by the opening that
-- ends it. A second inbound message in the same closed period finds the row and sends nothing.
create table outside_hours_sent (
  conversation_id uuid not null references conversations(id) on delete cascade,
  opens_at timestamptz not null,
  message_id uuid references messages(id) on delete set null,
  created_at timestamptz not null,
  primary key (conversation_id, opens_at)
);
