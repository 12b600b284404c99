-- Receipt diagnostics send test messages only to test contacts (R308): a contact created for that purpose
-- by an admin (their own number, a sandbox address), never a customer.
alter table contacts add column test_contact boolean not null default false;
