-- Messenger / Instagram profiles (name, username, picture) looked up from the provider per contact identity:
-- what the last look-up found (so a person's later edit of the contact is recognised and kept), when one was
-- last asked for (at most one a day) and when one last succeeded.
alter table contact_identities
  add column profile jsonb,
  add column profile_requested_at timestamptz,
  add column profile_fetched_at timestamptz;

-- Reactions on a message (a customer's emoji on Messenger / Instagram): [{emoji, authorType, at}].
alter table messages add column reactions jsonb not null default '[]';
