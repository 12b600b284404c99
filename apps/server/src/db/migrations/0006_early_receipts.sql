-- Delivery reports that arrived before Parley knew the provider's id of the message (the provider answered
-- the send and reported "delivered" almost at once): kept, and applied as soon as the send is recorded.
create table early_receipts (
  id bigint generated always as identity primary key,
  connection_id uuid not null references channel_connections(id) on delete cascade,
  provider_message_id text not null,
  state text not null check (state in ('sent', 'delivered', 'read', 'failed')),
  at timestamptz not null,
  reason text,
  detail text,
  received_at timestamptz not null default now()
);
create index early_receipts_lookup_idx on early_receipts (connection_id, provider_message_id);
create index early_receipts_received_idx on early_receipts (received_at);
