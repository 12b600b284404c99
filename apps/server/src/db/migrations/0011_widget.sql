-- Website chat widget: visitors (browser tokens) and their presence, for receipts and auto-close (R603).
create table widget_visitors (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  connection_id uuid not null references channel_connections(id) on delete cascade,
  -- the browser's token, stored only as SHA-256
  token_hash text not null unique,
  -- the contact identity's external id on the connection: "v:<visitor id>", or "u:<user id>" once verified
  external_id text not null,
  verified boolean not null default false,
  -- presence: refreshed by the open socket's heartbeat; "left" once it is older than a minute
  last_seen_at timestamptz not null,
  created_at timestamptz not null default now()
);
-- presence of a contact identity (send: did the visitor leave?; auto-close: away long enough?)
create index widget_visitors_presence_idx on widget_visitors (connection_id, external_id, last_seen_at desc);
-- what the widget reported when the session started (page, referrer, UTM, browser) and the pre-chat form:
-- given to the conversation with the visitor's first message
alter table widget_visitors add column source jsonb not null default '{}';
alter table widget_visitors add column contact jsonb not null default '{}';
