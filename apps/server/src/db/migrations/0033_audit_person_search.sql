-- Audit search together with a person: the trigram index becomes one GIN index over the person and the
-- search text (`btree_gin` gives uuid a GIN operator class). A search alone uses its search_text part as
-- before; a search by a person who seldom or never has the word reads only that person's matching entries,
-- instead of every workspace's matches of the word (the trigram index alone: a common word is in a fifth of
-- all rows) or every entry of the person (the btree on the person). One index instead of two: appending
-- costs no more than before.
create extension if not exists btree_gin;
drop index audit_log_search_idx;
create index audit_log_search_idx on audit_log using gin (user_id, search_text gin_trgm_ops);
