-- Two foreign keys on the ingest path checked nothing their statements did not already ensure, and each
-- check (a trigger and a query per row) took a share lock on the workspace row that the event append updates:
-- - a message's workspace is its conversation's, and the conversation is checked by its own key (whose
--   cascade also removes the message with its workspace);
-- - an event is appended by the statement that updates its workspace row for the event's number, and
--   appends nothing when there is no such row.
alter table messages drop constraint messages_workspace_id_fkey;
alter table events drop constraint events_workspace_id_fkey;
