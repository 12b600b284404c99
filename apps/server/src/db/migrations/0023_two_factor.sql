-- Two-factor sign-in (R802): a person's TOTP secret (sealed like channel credentials), their single-use
-- recovery codes (hashed), the short-lived challenges between the password step and the code step, and when a
-- session last proved who its person is (step-up before dangerous actions).
create table user_two_factor (
  user_id uuid primary key references users(id) on delete cascade,
  secret_enc text not null,
  -- null while enrolment waits for its first code: the secret is not in force yet
  enabled_at timestamptz,
  -- the last accepted time-step (unix seconds / 30): a code of this step or an older one is refused
  last_step bigint,
  created_at timestamptz not null
);

create table two_factor_recovery_codes (
  user_id uuid not null references users(id) on delete cascade,
  code_hash text not null,
  used_at timestamptz,
  created_at timestamptz not null,
  primary key (user_id, code_hash)
);

create table sign_in_challenges (
  id text primary key, -- sha256 of the token handed to the browser; the token itself is never stored
  user_id uuid not null references users(id) on delete cascade,
  -- code: enter a code; enrol: the workspace requires two-factor sign-in and the person must set it up first
  kind text not null check (kind in ('code', 'enrol')),
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null
);
create index sign_in_challenges_user_idx on sign_in_challenges (user_id);
create index sign_in_challenges_expires_idx on sign_in_challenges (expires_at);

-- When the session's person last gave their password or a code after signing in (null: only at sign-in).
alter table sessions add column reauthenticated_at timestamptz;
