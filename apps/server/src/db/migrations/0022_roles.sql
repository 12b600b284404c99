-- Roles and permissions (R801). The four built-in roles keep their meaning: owners and admins hold every
-- permission (nothing is stored for them), supervisors and agents hold their defaults (protocol
-- ROLE_DEFAULT_PERMISSIONS) until the workspace stores its own set for them here.
create table role_permissions (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  role text not null check (role in ('supervisor', 'agent')),
  permissions text[] not null,
  updated_at timestamptz not null,
  primary key (workspace_id, role)
);

-- A workspace's own roles: a name and a chosen set of permissions, assigned to people instead of their
-- built-in role's. `base` is what users.role says of a holder for everything that is not a permission.
create table roles (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  base text not null check (base in ('supervisor', 'agent')),
  permissions text[] not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (id, workspace_id)
);
create unique index roles_name_key on roles (workspace_id, lower(name));

-- A person holds at most one custom role, of their own workspace; a role cannot be deleted while held.
alter table users add column custom_role_id uuid;
alter table users add constraint users_custom_role_fkey
  foreign key (custom_role_id, workspace_id) references roles (id, workspace_id);
create index users_custom_role_idx on users (custom_role_id) where custom_role_id is not null;
