-- Inbox list filters measured on 100,000 conversations (see docs/ARCHITECTURE.md, "Inbox list tools").

-- "Any message on a day or in a range" walks the activity order from the range's start and keeps the
-- conversations created before its end. With created_at in the index that test is made on the index entries:
-- the conversations created after the range are skipped without reading their rows (a day ten days back:
-- 7,900 rows read and thrown away before, none now). Same order and leading columns as the index it
-- replaces, so every keyset walk by activity uses it as before.
create index conversations_activity_created_idx on conversations (workspace_id, last_activity_at desc, id desc, created_at);
drop index conversations_activity_idx;

-- The tag filter joins the tagged contacts to their conversations; the inbox shows the ones not closed, so
-- the lookup per contact reads only those (most conversations are closed).
create index conversations_open_contact_idx on conversations (contact_id) where status <> 'closed';
