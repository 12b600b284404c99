-- Who wrote a conversation's last message, when it was a person of the workspace: the inbox list says "You"
-- only for the caller's own replies and names a colleague's. Kept with the other last-message columns.
alter table conversations add column last_message_author_id uuid;

update conversations c set last_message_author_id = m.author_id
  from messages m
  where m.id = c.last_message_id and m.author_type in ('user', 'bot') and m.author_id is not null;
