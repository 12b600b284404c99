-- Outgoing webhooks (R806): endpoints an admin subscribes to the workspace's events, and their deliveries.
create table webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  url text not null,
  description text not null default '',
  -- The webhook event types it receives (conversation.created, message.created, ...).
  events text[] not null,
  -- AES-256-GCM ciphertext of the signing secret (the same sealing as channel credentials).
  secret_enc text not null,
  active boolean not null default true,
  -- Why it is off: 'manual' (an admin) or 'failing' (24 hours of failed attempts); null while active.
  disabled_reason text,
  -- The last number of the workspace's event log already turned into deliveries: the dispatcher reads on
  -- from here, so an event committed is delivered even if every process stopped in between.
  cursor_seq bigint not null,
  -- Since when every attempt has failed; null once one succeeds.
  failing_since timestamptz,
  -- One process at a time works an endpoint's deliveries (ordering per conversation lives in the rows).
  lease_owner text,
  lease_until timestamptz,
  created_by uuid references users(id) on delete set null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index webhook_endpoints_workspace on webhook_endpoints (workspace_id, created_at);
create index webhook_endpoints_active on webhook_endpoints (workspace_id) where active;

create table webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  endpoint_id uuid not null references webhook_endpoints(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  -- The payload's id (the same for every endpoint and for a delivery sent again).
  event_id uuid not null,
  event_type text not null,
  -- The event's number in the workspace's log: deliveries with one ordering key go in this order.
  event_seq bigint not null,
  -- The conversation (or contact) the event is about; a failing delivery holds only later ones of its key.
  ordering_key text not null,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  last_attempt_at timestamptz,
  duration_ms integer,
  response_status integer,
  response_excerpt text,
  error text,
  -- The delivery this one sends again, if any.
  resent_from uuid,
  created_at timestamptz not null,
  delivered_at timestamptz
);
create index webhook_deliveries_due on webhook_deliveries (endpoint_id, next_attempt_at) where status = 'pending';
-- A round takes due deliveries in log order.
create index webhook_deliveries_order on webhook_deliveries (endpoint_id, event_seq) where status = 'pending';
create index webhook_deliveries_key on webhook_deliveries (endpoint_id, ordering_key, event_seq) where status = 'pending';
create index webhook_deliveries_log on webhook_deliveries (endpoint_id, created_at desc);
