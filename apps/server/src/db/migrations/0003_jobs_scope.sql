-- Servers sharing a database but not a configuration (the test suite's) run only the jobs they enqueued.
alter table jobs add column scope text;
