-- Files kept by Parley: media downloaded from providers (their links expire) and, later, agents' uploads.
create table files (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  mime_type text not null,
  size bigint not null,
  sha256 text not null,
  storage_key text not null,
  source_url text,
  created_at timestamptz not null default now()
);
create index files_workspace_idx on files (workspace_id, created_at desc);
