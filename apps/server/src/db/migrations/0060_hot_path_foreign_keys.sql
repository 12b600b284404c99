-- Two foreign keys on the ingest path checked nothing their statements did not already ensure, and each
-- check (a trigger and a query per row) took a key-share lock on the workspace row that the event append
-- updates:
-- - every statement writing a message gives it the workspace of what it writes for (the key only checked
--   that the workspace exists), and the message's key to its conversation keeps it from outliving it;
-- - an event is appended by the statement that updates its workspace row for the event's number, and
--   appends nothing when there is no such row.
alter table messages drop constraint messages_workspace_id_fkey;
alter table events drop constraint events_workspace_id_fkey;
