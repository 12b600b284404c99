-- An invitation may give a custom role (R801): the person joins holding it. `role` keeps the custom role's
-- base; if the custom role is deleted before the invitation is accepted, the person joins with that base.
alter table invitations add column custom_role_id uuid references roles(id) on delete set null;
