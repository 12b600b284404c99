-- Sending: what an outgoing message is waiting for, and the parts of a message sent so far.

-- A channel answering "too many requests" (HTTP 429, Viber status 12…) makes a queued message wait: the
-- reason and the time of the next try are shown on the message; `rate_limited_since` (the first such answer
-- for this message) bounds the total wait (OUTBOUND_RATE_LIMIT_MAX_WAIT_SECONDS), after which it fails with
-- `rate_limited`.
alter table messages
  add column waiting_reason text,
  add column retry_at timestamptz,
  add column rate_limited_since timestamptz;

-- A message the channel takes as several provider messages (Telegram: text over 4,096 characters in parts):
-- the provider ids of the parts already sent, in order, written as each part is accepted. A retry, by any
-- worker process, resumes after them and never sends a part twice.
alter table messages add column sent_parts jsonb;
