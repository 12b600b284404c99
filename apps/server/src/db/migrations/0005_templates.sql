-- WhatsApp message templates (R502, R503): synced from the provider, sent outside the 24-hour window.
create table message_templates (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  connection_id uuid not null references channel_connections(id) on delete cascade,
  provider_template_id text,
  name text not null,
  language text not null,
  category text,
  -- The provider's review state, normalised (anything else Meta reports, e.g. DISABLED, is DISABLED).
  status text not null check (status in ('APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED')),
  -- header / body / footer / buttons as the provider describes them, with their {{n}} placeholders.
  components jsonb not null default '[]',
  synced_at timestamptz not null,
  unique (connection_id, name, language)
);

create index message_templates_workspace_idx on message_templates (workspace_id);

-- A message sent as a template: { templateId, name, language, category, variables, components }.
alter table messages add column template jsonb;
