-- The log of closed conversations (R601): keyset pages by closing time, newest or oldest first.
create index conversations_closed_idx on conversations (workspace_id, closed_at desc, id desc)
  where status = 'closed';

-- Message exports (R602) walk a workspace's messages in commit order, a page at a time.
create index messages_workspace_seq_idx on messages (workspace_id, seq);
