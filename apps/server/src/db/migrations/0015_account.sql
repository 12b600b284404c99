-- Agents' presence: one row per open realtime socket, whatever process holds it. A user is online when any of
-- their sockets is online, away when all are away, offline without a socket. Rows of a process that died are
-- ignored once their heartbeat (seen_at) is stale, and removed later by any process.
create table presence_sockets (
  id text primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  state text not null check (state in ('online', 'away')),
  seen_at timestamptz not null
);
create index presence_sockets_user_idx on presence_sockets (workspace_id, user_id);
create index presence_sockets_seen_idx on presence_sockets (seen_at);
