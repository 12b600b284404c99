-- Automation rules (issue 14 item 4): the "time limit reached" trigger, and which of the two time limits (R107)
-- such a rule waits for. Its runs are named 'time_limit:<conversation>:<epoch ms of the first unanswered
-- message>:<warning|overdue>' in rule_runs, so a rule acts once per wait.
alter table rules drop constraint rules_trigger_check;
alter table rules add constraint rules_trigger_check check (
  trigger in ('conversation_created', 'customer_message', 'agent_message', 'status_changed', 'no_reply',
    'time_limit_reached'));
alter table rules add column time_limit text check (time_limit in ('warning', 'overdue'));

