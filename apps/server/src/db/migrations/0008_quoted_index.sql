-- Deleting messages checks the self-reference quoted_message_id: index it (partial: few messages quote).
create index messages_quoted_idx on messages (quoted_message_id) where quoted_message_id is not null;
