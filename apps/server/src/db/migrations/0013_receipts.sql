-- Read-receipt policy overrides (R305): null inherits (conversation → connection → workspace setting).
alter table channel_connections add column read_receipts boolean;
alter table conversations add column read_receipts boolean;

-- Consent to read tracking per contact (R307): null = never asked, with when and where it was recorded.
alter table contacts add column read_tracking_consent boolean;
alter table contacts add column read_tracking_consent_at timestamptz;
alter table contacts add column read_tracking_consent_source text;

-- When each agent's read cursor passed which feed position: "seen by … at …" for every customer message
-- (R303) is the first mark at or beyond the message. Written by a trigger so that every path that moves a
-- cursor (opening, replying) records it; purged with the workspace's retention.
create table read_marks (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  conversation_id uuid not null references conversations(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  seq bigint not null,
  at timestamptz not null
);
create index read_marks_conversation_idx on read_marks (conversation_id, seq);
create index read_marks_workspace_at_idx on read_marks (workspace_id, at);

create function parley_record_read_mark() returns trigger language plpgsql as $$ begin
  if new.last_read_seq > 0 and (tg_op = 'INSERT' or new.last_read_seq > old.last_read_seq) then insert into read_marks (workspace_id, conversation_id, user_id, seq, at) values (new.workspace_id, new.conversation_id, new.user_id, new.last_read_seq, new.read_at); end if; return new; end $$;

create trigger read_cursors_record_mark after insert or update on read_cursors
  for each row execute function parley_record_read_mark();

-- Receipt reports (R309) read the outgoing replies of a period; the retention purge finds old read times.
create index messages_outbound_created_idx on messages (workspace_id, created_at)
  where direction = 'outbound' and kind = 'message';
create index messages_read_at_idx on messages (workspace_id, read_at) where read_at is not null;
