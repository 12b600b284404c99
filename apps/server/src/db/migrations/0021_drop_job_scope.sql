-- Jobs were once tagged with the test run that queued them; each test file now has a database of its own.
alter table jobs drop column scope;
