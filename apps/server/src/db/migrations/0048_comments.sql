-- Comments under the business's Facebook Page and Instagram posts (R451). A comment conversation is one per
-- post and commenter, on the same connection as the direct messages: `kind` tells them apart and the inbox
-- filters on it; `post_id` names the post it is about.
alter table conversations add column kind text not null default 'direct' check (kind in ('direct', 'comment'));
alter table conversations add column post_id text;
create index conversations_kind_activity_idx on conversations (workspace_id, kind, last_activity_at desc, id desc);

-- A comment's own facts (inbound: its post, parent, visibility, edits, removal; outbound: public or private
-- reply and the comment it answers).
alter table messages add column comment jsonb;
-- Meta allows one private reply per comment: a second one (not failed) cannot be written.
create unique index messages_private_reply_key on messages (connection_id, (comment ->> 'replyTo'))
  where comment ->> 'mode' = 'private' and delivery_state is distinct from 'failed';

-- The posts the comments are about, as the Graph API describes them (fetched by a job, never in the webhook).
create table social_posts (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  connection_id uuid not null references channel_connections(id) on delete cascade,
  post_id text not null,
  text text,
  permalink_url text,
  -- Parley's own copy of the picture (/api/files/…); the provider's links expire.
  picture_url text,
  fetched_at timestamptz,
  error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (connection_id, post_id)
);
create index social_posts_workspace_idx on social_posts (workspace_id);
