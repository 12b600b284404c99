-- Important (starred) conversations and snoozing. Both are columns of the conversation, not statuses: a
-- conversation stays open or in progress while it is important or snoozed, so everything that reads the
-- status (time limits, distribution, reports) keeps its meaning. `important_by` and `snoozed_by` hold the
-- person's id, or an automation rule's when a rule did it (no foreign key: either may be meant).
alter table conversations
  add column important_at timestamptz,
  add column important_by uuid,
  add column snoozed_until timestamptz,
  add column snoozed_by uuid;

-- The "Important" view: the list's activity order over the workspace's important conversations.
create index conversations_important_idx on conversations (workspace_id, last_activity_at desc, id desc)
  where important_at is not null;
-- The "Snoozed" view, in the same order.
create index conversations_snoozed_idx on conversations (workspace_id, last_activity_at desc, id desc)
  where snoozed_until is not null;
-- The wake-up task: snoozes that are due, across workspaces, soonest first.
create index conversations_snooze_due_idx on conversations (snoozed_until) where snoozed_until is not null;

-- The views' counts read every open conversation once from an index: it now also holds the two new columns,
-- so the counts (the default views leave snoozed conversations out) stay answered from the index.
drop index conversations_open_counts_idx;
create index conversations_open_counts_idx on conversations (workspace_id)
  include (assignee_id, team_id, last_inbound_seq, first_unanswered_at, important_at, snoozed_until)
  where status <> 'closed';

-- Bulk actions: mark and unmark important, snooze.
alter table bulk_operations drop constraint bulk_operations_action_check;
alter table bulk_operations add constraint bulk_operations_action_check check (
  action in ('close', 'reassign', 'mark_read', 'mark_unread', 'delete', 'mark_important', 'unmark_important', 'snooze'));
