-- The audit log (R803): the caller's user agent, append-only rows, a SHA-256 hash chain per workspace, a
-- retention period, full-text search and the indexes of the audit page's queries.
alter table audit_log add column user_agent text;
-- Position in the workspace's chain (1, 2, 3, … in the order rows were appended), the previous row's hash
-- and this row's: sha256(prev_hash || audit_entry_content(...)), hex.
alter table audit_log add column chain_seq bigint;
alter table audit_log add column prev_hash text;
alter table audit_log add column hash text;

-- One row per workspace: the chain's head (last appended row), its anchor (the last row retention deleted:
-- the first remaining row links to it) and the retention period.
create table audit_chains (
  workspace_id uuid primary key references workspaces(id) on delete cascade,
  head_seq bigint not null default 0,
  head_hash text not null default repeat('0', 64),
  anchor_seq bigint not null default 0,
  anchor_hash text not null default repeat('0', 64),
  retention_days int not null default 365 check (retention_days >= 30)
);

-- The canonical content of an entry: a JSON array whose text form PostgreSQL fixes (jsonb orders keys and
-- spacing itself); the time in microseconds since 1970, whatever the session's time zone. The verifier
-- (modules/audit/verify.ts) recomputes it with its own copy of this expression.
create function audit_entry_content(
  seq bigint, id bigint, workspace_id uuid, user_id uuid, action text, target_type text, target_id text,
  data jsonb, ip text, user_agent text, created_at timestamptz
) returns text language sql immutable as $$
  select jsonb_build_array(seq, id, workspace_id, user_id, action, target_type, target_id, data, ip, user_agent,
    (extract(epoch from created_at) * 1000000)::bigint)::text
$$;

-- Existing rows join their workspace's chain in id order.
do $$
declare
  r record;
  ws uuid;
  prev text;
  n bigint;
begin
  for r in select * from audit_log order by workspace_id, id loop
    if ws is distinct from r.workspace_id then
      ws := r.workspace_id;
      prev := repeat('0', 64);
      n := 0;
    end if;
    n := n + 1;
    update audit_log set chain_seq = n, prev_hash = prev,
      hash = encode(sha256(convert_to(prev || audit_entry_content(n, r.id, r.workspace_id, r.user_id, r.action,
        r.target_type, r.target_id, r.data, r.ip, r.user_agent, r.created_at), 'UTF8')), 'hex')
    where id = r.id returning hash into prev;
  end loop;
end $$;
insert into audit_chains (workspace_id, head_seq, head_hash)
  select distinct on (workspace_id) workspace_id, chain_seq, hash from audit_log
  order by workspace_id, chain_seq desc;
alter table audit_log alter column chain_seq set not null;
alter table audit_log alter column prev_hash set not null;
alter table audit_log alter column hash set not null;

-- Appending: the workspace's row is locked first (the lock domain events take at commit, so the two never
-- wait on each other in a circle), then the chain's head moves on; concurrent writers queue on that lock
-- and stay in one chain.
create function audit_log_append() returns trigger language plpgsql as $$
declare
  prev text;
begin
  perform 1 from workspaces where id = new.workspace_id for no key update;
  insert into audit_chains as c (workspace_id, head_seq) values (new.workspace_id, 1)
    on conflict (workspace_id) do update set head_seq = c.head_seq + 1
    returning c.head_seq, c.head_hash into new.chain_seq, prev;
  new.prev_hash := prev;
  new.hash := encode(sha256(convert_to(prev || audit_entry_content(new.chain_seq, new.id, new.workspace_id,
    new.user_id, new.action, new.target_type, new.target_id, new.data, new.ip, new.user_agent, new.created_at),
    'UTF8')), 'hex');
  update audit_chains set head_hash = new.hash where workspace_id = new.workspace_id;
  return new;
end $$;
create trigger audit_log_append before insert on audit_log for each row execute function audit_log_append();

-- Append-only: no UPDATE, no TRUNCATE; DELETE only by the retention task (it says so with
-- `set local parley.audit_retention = 'on'` and may delete only rows up to the anchor it moved first), or
-- with the workspace itself.
create function audit_log_refuse() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    if current_setting('parley.audit_retention', true) = 'on'
      and old.chain_seq <= (select anchor_seq from audit_chains where workspace_id = old.workspace_id) then
      return old;
    end if;
    if not exists (select 1 from workspaces where id = old.workspace_id) then
      return old;
    end if;
  end if;
  raise exception 'The audit log is append-only: % on audit_log is refused.', tg_op
    using errcode = 'insufficient_privilege';
end $$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_refuse();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_refuse();

-- The anchor moves only with retention.
create function audit_chains_guard() returns trigger language plpgsql as $$
begin
  if current_setting('parley.audit_retention', true) is distinct from 'on' then
    raise exception 'The audit chain''s anchor moves only with retention.' using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;
create trigger audit_chains_anchor before update on audit_chains for each row
  when (old.anchor_seq is distinct from new.anchor_seq or old.anchor_hash is distinct from new.anchor_hash)
  execute function audit_chains_guard();

-- Search (ILIKE, trigram index: the embedded database and PostgreSQL both have pg_trgm).
alter table audit_log add column search_text text generated always as (lower(
  action || ' ' || coalesce(target_type, '') || ' ' || coalesce(target_id, '') || ' ' || data::text || ' ' ||
  coalesce(ip, '') || ' ' || coalesce(user_agent, ''))) stored;

-- The page's queries: newest first (created_at, id), per person, per action prefix, per target.
drop index audit_log_workspace_idx;
create index audit_log_recent_idx on audit_log (workspace_id, created_at desc, id desc);
create index audit_log_user_idx on audit_log (workspace_id, user_id, created_at desc, id desc);
create index audit_log_action_idx on audit_log (workspace_id, action text_pattern_ops, created_at desc, id desc);
create index audit_log_target_idx on audit_log (workspace_id, target_type, target_id, created_at desc, id desc);
create unique index audit_log_chain_idx on audit_log (workspace_id, chain_seq);
create index audit_log_search_idx on audit_log using gin (search_text gin_trgm_ops);
