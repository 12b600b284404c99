-- Email connections (IMAP in, SMTP out).
-- Per connection: where the IMAP watcher is in the INBOX (UIDVALIDITY + the last UID handed to the ingest,
-- so a restart neither loses nor duplicates mail) and which worker holds the watch (a lease, so several
-- worker processes never watch one mailbox twice).
create table email_mailboxes (
  connection_id uuid primary key references channel_connections(id) on delete cascade,
  uid_validity bigint,
  last_uid bigint not null default 0,
  lease_owner text,
  lease_until timestamptz,
  updated_at timestamptz not null default now()
);

-- Thread headers of every mail in a conversation (inbound and ours), keyed by Message-ID (without angle
-- brackets): replies carry In-Reply-To / References and "Re: <subject>", and bounces find our message.
create table email_messages (
  connection_id uuid not null references channel_connections(id) on delete cascade,
  message_id text not null,
  contact_address text not null,
  direction text not null check (direction in ('inbound', 'outbound')),
  subject text,
  refs text,
  created_at timestamptz not null default now(),
  primary key (connection_id, message_id)
);
create index email_messages_contact_idx on email_messages (connection_id, contact_address, created_at desc);
