-- Chain format 2 of the audit log (R803, R806): the API token an entry was made through is hashed with it, so
-- "via token X" cannot be changed or removed unnoticed. Each row says which format its hash uses; rows written
-- before this migration keep format 1 (their hashes stay as they were and still verify), every new row is
-- format 2. Format 2's content starts with the number 2, so turning a row back to format 1 changes its hash too.
alter table audit_log add column chain_version smallint not null default 1;
alter table audit_log alter column chain_version set default 2;

-- Format 2's canonical content: format 1's, led by the format number, with the token before the time. The
-- verifier (modules/audit/verify.ts) recomputes it with its own copy of this expression.
create function audit_entry_content_v2(
  seq bigint, id bigint, workspace_id uuid, user_id uuid, action text, target_type text, target_id text,
  data jsonb, ip text, user_agent text, api_token_id uuid, created_at timestamptz
) returns text language sql immutable as $$
  select jsonb_build_array(2, seq, id, workspace_id, user_id, action, target_type, target_id, data, ip, user_agent,
    api_token_id, (extract(epoch from created_at) * 1000000)::bigint)::text
$$;

-- Appending as in migration 0025, always in format 2.
create or replace function audit_log_append() returns trigger language plpgsql as $$
declare
  prev text;
begin
  perform 1 from workspaces where id = new.workspace_id for no key update;
  insert into audit_chains as c (workspace_id, head_seq) values (new.workspace_id, 1)
    on conflict (workspace_id) do update set head_seq = c.head_seq + 1
    returning c.head_seq, c.head_hash into new.chain_seq, prev;
  new.prev_hash := prev;
  new.chain_version := 2;
  new.hash := encode(sha256(convert_to(prev || audit_entry_content_v2(new.chain_seq, new.id, new.workspace_id,
    new.user_id, new.action, new.target_type, new.target_id, new.data, new.ip, new.user_agent, new.api_token_id,
    new.created_at), 'UTF8')), 'hex');
  update audit_chains set head_hash = new.hash where workspace_id = new.workspace_id;
  return new;
end $$;

-- A renamed or recoloured tag's contacts are read in batches in contact id order (modules/tags/
-- contacts-updated-job.ts): the tag's index carries the contact id too.
create index contact_tags_tag_contact_idx on contact_tags (tag_id, contact_id);
drop index contact_tags_tag_idx;
