-- A file is shown to an agent only through a conversation they may read (or as an avatar, which the whole
-- workspace sees). Messages link their files by URL in `attachments`; an agent's upload also names the
-- conversation it was made for, so it stays that conversation's before it is sent.
alter table files add column conversation_id uuid references conversations(id) on delete set null;

-- "Which messages carry /api/files/<id>": a containment test on the attachments of messages that have any.
create index messages_attachments_idx on messages using gin (attachments jsonb_path_ops)
  where jsonb_array_length(attachments) > 0;

-- Avatars stored by Parley are looked up by their URL.
create index users_file_avatar_idx on users (avatar_url) where avatar_url like '/api/files/%';
create index contacts_file_avatar_idx on contacts (avatar_url) where avatar_url like '/api/files/%';
