-- Workspace API tokens (R806): `Authorization: Bearer prl_…` on the REST API with chosen permissions. The secret
-- is shown once and stored as its SHA-256 (looked up by that hash on every request, so a revocation holds at once
-- in every process). The row also carries the token's request counter (a fixed one-minute window, counted in the
-- same statement that resolves the token), when and from where it was last used, and the addresses it was seen
-- from (the most recent 100), so a new address is noticed once.
create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  created_by uuid not null references users(id) on delete cascade,
  name text not null,
  -- The first characters of the secret, shown in lists so a person can tell tokens apart.
  prefix text not null,
  secret_hash text not null unique,
  permissions text[] not null,
  rate_limit integer not null check (rate_limit > 0),
  created_at timestamptz not null,
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references users(id) on delete set null,
  last_used_at timestamptz,
  last_used_ip text,
  seen_ips text[] not null default '{}',
  window_start timestamptz,
  window_count integer not null default 0
);
create index api_tokens_workspace_idx on api_tokens (workspace_id, created_at desc);

-- An audit entry made through a token names it ("via token X").
alter table audit_log add column api_token_id uuid references api_tokens(id) on delete set null;
