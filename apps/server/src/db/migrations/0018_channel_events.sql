-- Channel events that are not messages: subscriptions, account-level provider errors.

-- A customer who unsubscribed from the business (Viber `unsubscribed`): nothing may be sent to them until
-- they subscribe again or write. `subscription_changed_at` is the provider's time of the last subscription
-- change applied, so a late retry of an older callback changes nothing.
alter table contact_identities add column unsubscribed_at timestamptz;
alter table contact_identities add column subscription_changed_at timestamptz;

-- Account- and number-level problems a provider reports by webhook (WhatsApp `value.errors[]`: payment
-- issue, account locked, temporarily blocked, ...), for the connection's diagnostics (R308). The same code
-- and words again within a day (Meta's retries carry no time of their own; a lasting problem is reported
-- again and again) count as a repeat of the row (`last_at`, `occurrences`) and notify nobody again.
create table channel_account_errors (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  connection_id uuid not null references channel_connections(id) on delete cascade,
  code text not null,
  title text not null,
  detail text,
  at timestamptz not null,
  last_at timestamptz not null,
  occurrences integer not null default 1,
  created_at timestamptz not null default now(),
  unique (connection_id, code, at)
);
create index channel_account_errors_connection_idx on channel_account_errors (connection_id, at desc);
