-- Counters shared by every process (sign-in, password reset, web chat, per-route limits, Telegram pacing):
-- one row per key and window (a fixed window's start, or a sliding window's bucket), counted with an atomic
-- upsert; rows past `expires_at` are pruned by a scheduled task.
create table rate_limits (
  key text not null,
  window_start timestamptz not null,
  count integer not null default 0,
  expires_at timestamptz not null,
  primary key (key, window_start)
);
create index rate_limits_expires_idx on rate_limits (expires_at);

-- Scheduled tasks run once per slot across all workers: a worker runs a task's slot only if it inserted the
-- row (insert ... on conflict do nothing). Slots are counted on the database's clock.
create table scheduled_runs (
  task text not null,
  slot bigint not null,
  started_at timestamptz not null default now(),
  primary key (task, slot)
);
