-- A personal Telegram account connected through the user API (MTProto), issue 16 item 2 (R452).

-- Sign-ins in progress: the step reached (code, then password when the account has one) and, sealed like the
-- credentials, the API id and hash, the phone number, Telegram's phone_code_hash and the half-made session
-- string (the authorization key the code was asked with). Any process may receive the next step.
create table telegram_user_logins (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  created_by uuid references users(id) on delete set null,
  -- A connection whose session ended: signing in again replaces its credentials.
  connection_id uuid references channel_connections(id) on delete cascade,
  name text not null,
  step text not null check (step in ('code', 'password')),
  state_enc text not null,
  password_hint text,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index telegram_user_logins_workspace_idx on telegram_user_logins (workspace_id);

-- The live session of each connection: one process at a time holds it (a lease on the database's clock) and
-- receives its updates; revoked_at is set when Telegram ended the authorization (sign in again).
create table telegram_user_sessions (
  connection_id uuid primary key references channel_connections(id) on delete cascade,
  lease_owner text,
  lease_until timestamptz,
  revoked_at timestamptz,
  updated_at timestamptz not null default now()
);

-- Telegram users this account talked with: the access_hash needed to address them (InputPeerUser).
create table telegram_user_peers (
  connection_id uuid not null references channel_connections(id) on delete cascade,
  user_id text not null,
  access_hash text not null,
  primary key (connection_id, user_id)
);
