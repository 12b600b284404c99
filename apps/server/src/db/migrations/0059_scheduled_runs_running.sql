-- A scheduled task's run is held back while the run before it is still going (on any worker): a pass that
-- takes longer than its period (the search vocabulary catching up on a large import) must not start again
-- beside itself each period. A running worker marks its run alive every half period; a run whose worker
-- died stops holding the task back once its mark is three beats old.
alter table scheduled_runs
  add column alive_at timestamptz not null default now(),
  add column finished_at timestamptz;
update scheduled_runs set finished_at = started_at;
create index scheduled_runs_running_idx on scheduled_runs (task) where finished_at is null;
