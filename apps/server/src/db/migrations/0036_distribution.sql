-- Distribution of new conversations (R701): settings per channel connection or per team, the agents' capacity
-- and vacation, and when distribution last gave a conversation to its agent (the reply timeout counts from it).
create table distribution_settings (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  -- The scope: exactly one of a connection (its new conversations) or a team (conversations of that team).
  connection_id uuid references channel_connections(id) on delete cascade,
  team_id uuid references teams(id) on delete cascade,
  mode text not null default 'manual' check (mode in ('round_robin', 'least_busy', 'manual')),
  -- A connection's conversations go to this team's members (and join the team); null: every active agent.
  pool_team_id uuid references teams(id) on delete set null,
  -- Back to distribution when the agent has not answered the customer within this many minutes; null: never.
  reply_timeout_minutes integer check (reply_timeout_minutes between 1 and 10080),
  -- Back to distribution when the agent goes offline or on vacation.
  reassign_when_away boolean not null default true,
  -- Where reassigned conversations go instead of this scope's distribution (that team's settings apply).
  fallback_team_id uuid references teams(id) on delete set null,
  -- Round-robin: the agent who got the last conversation. Its row lock serialises picks in this scope.
  cursor_user_id uuid references users(id) on delete set null,
  updated_at timestamptz not null default now(),
  check ((connection_id is null) <> (team_id is null))
);
create unique index distribution_settings_connection_key on distribution_settings (connection_id) where connection_id is not null;
create unique index distribution_settings_team_key on distribution_settings (team_id) where team_id is not null;
create index distribution_settings_workspace_idx on distribution_settings (workspace_id);

create table agent_distribution (
  user_id uuid primary key references users(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  -- Open conversations the agent may hold before distribution passes them over; null: no limit.
  max_open integer check (max_open between 0 and 100000),
  on_vacation boolean not null default false,
  updated_at timestamptz not null default now()
);

create table distribution_assignments (
  conversation_id uuid primary key references conversations(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  assigned_at timestamptz not null
);

-- Open conversations per agent (capacity, least busy).
create index conversations_open_assignee_idx on conversations (assignee_id) where status <> 'closed' and assignee_id is not null;
