-- SMS as a means of agents' notifications (R304): an agent's phone number, verified by a code sent by SMS
-- through the workspace's SMS connection, and SMS deliveries beside email and push.

create table agent_phones (
  user_id uuid primary key references users(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  -- The verified number (E.164); null until a code was confirmed.
  phone text,
  verified_at timestamptz,
  -- A number waiting for its code: the code's salted hash (never the code), its expiry and the wrong tries.
  pending_phone text,
  code_hash text,
  code_expires_at timestamptz,
  code_attempts integer not null default 0,
  updated_at timestamptz not null default now()
);
create index agent_phones_workspace_idx on agent_phones (workspace_id);

alter table notification_deliveries drop constraint notification_deliveries_means_check;
alter table notification_deliveries
  add constraint notification_deliveries_means_check check (means in ('email', 'push', 'sms'));

-- When the last batched SMS about a conversation went to an agent (at most one per interval, as for email).
create table notification_sms_state (
  user_id uuid not null references users(id) on delete cascade,
  conversation_id uuid not null,
  last_sent_at timestamptz not null,
  primary key (user_id, conversation_id)
);
