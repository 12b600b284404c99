-- Access tokens a provider issues to a connection for a while (WeChat: two hours), shared by every process:
-- one row per connection, the token sealed like the credentials; a process refreshes it under an advisory
-- lock on the connection, so one refresh runs at a time and the others read its result.
create table channel_access_tokens (
  connection_id uuid primary key references channel_connections(id) on delete cascade,
  token_enc text not null,
  expires_at timestamptz not null,
  refreshed_at timestamptz not null
);

-- LINE reply tokens: the latest a customer's webhook event carried, single-use and valid about a minute.
-- A send claims it (sets used_at) in one statement, so two processes never use the same token.
create table line_reply_tokens (
  connection_id uuid not null references channel_connections(id) on delete cascade,
  user_id text not null,
  reply_token text not null,
  received_at timestamptz not null,
  used_at timestamptz,
  primary key (connection_id, user_id)
);
