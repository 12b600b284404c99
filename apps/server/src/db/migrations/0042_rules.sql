-- Automation rules (issue 14 item 4): "when (trigger) and (conditions) then (actions)", in order per workspace.
-- Conditions and actions are JSON validated by the zod schemas in packages/protocol/src/rules.ts.
create table rules (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  -- Rules run in ascending position; a rule with stop_processing ends the run for that event when it matches.
  position integer not null,
  name text not null,
  enabled boolean not null default true,
  trigger text not null
    check (trigger in ('conversation_created', 'customer_message', 'agent_message', 'status_changed', 'no_reply')),
  -- no_reply: minutes the customer has waited for an answer.
  minutes integer check (minutes between 1 and 10080),
  conditions jsonb not null default '{}',
  actions jsonb not null default '[]',
  stop_processing boolean not null default false,
  created_by uuid references users(id) on delete set null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index rules_workspace_idx on rules (workspace_id, position);
-- The statement that appends events asks whether the workspace has any enabled rule.
create index rules_enabled_idx on rules (workspace_id) where enabled;

-- The run log: one row per rule and occurrence (an event's number, or a no-reply wait), written before the
-- actions run, so a rule acts at most once per occurrence whatever the number of workers or retries.
create table rule_runs (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  rule_id uuid not null references rules(id) on delete cascade,
  conversation_id uuid references conversations(id) on delete set null,
  -- 'event:<seq>' or 'no_reply:<conversation>:<epoch ms of the first unanswered message>'
  occurrence text not null,
  event_seq bigint,
  outcome text not null check (outcome in ('matched', 'skipped', 'failed')),
  reason text,
  created_at timestamptz not null,
  unique (rule_id, occurrence)
);
create index rule_runs_rule_idx on rule_runs (rule_id, id desc);
-- Loop protection counts a conversation's recent rule actions.
create index rule_runs_conversation_idx on rule_runs (conversation_id, created_at) where outcome <> 'skipped';
