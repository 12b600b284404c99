-- Account security (R802): password reset and email change links, and sessions a person can tell apart.

-- What a person and an admin see of a session: never its id, which is the hash of the cookie.
alter table sessions add column public_id uuid not null default gen_random_uuid();
create unique index sessions_public_id_key on sessions (public_id);

-- Single-use links mailed to a person: a password reset (1 hour) or the confirmation of a new email
-- address (24 hours). The token is never stored: only its SHA-256.
create table account_links (
  id uuid primary key,
  token_hash text not null unique,
  kind text not null check (kind in ('password_reset', 'email_change')),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  -- The address an email change confirms (null for a password reset).
  new_email text,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index account_links_user_idx on account_links (user_id, kind) where used_at is null;
