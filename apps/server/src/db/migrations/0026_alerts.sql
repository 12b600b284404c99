-- Alerts on suspicious activity (R804). The rules a workspace changed from their defaults: a rule without a
-- row runs with the defaults written in modules/alerts/rules.ts.
create table alert_rules (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  rule text not null,
  enabled boolean not null,
  threshold integer not null check (threshold >= 1),
  window_minutes integer not null check (window_minutes between 1 and 1440),
  updated_by uuid references users(id) on delete set null,
  updated_at timestamptz not null,
  primary key (workspace_id, rule)
);

-- One alert per rule and key (an account, an address, a person, a token) per window: later events of the
-- same burst raise its count and last_seen_at instead of raising another alert.
create table alerts (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  rule text not null,
  key text not null,
  details jsonb not null default '{}',
  count integer not null,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  raised_at timestamptz not null,
  acknowledged_at timestamptz,
  acknowledged_by uuid references users(id) on delete set null
);
create index alerts_burst_idx on alerts (workspace_id, rule, key, raised_at desc);
create index alerts_list_idx on alerts (workspace_id, raised_at desc, id desc);

-- The devices (user agent families) and addresses each person has signed in from.
create table alert_known_sources (
  user_id uuid not null references users(id) on delete cascade,
  kind text not null check (kind in ('device', 'address')),
  value text not null,
  first_seen_at timestamptz not null,
  primary key (user_id, kind, value)
);

-- The rules count recent entries of one action ("failed sign-ins in the last 15 minutes") through
-- audit_log_action_idx (workspace, action, created_at), made with the audit log's chain (0025).
