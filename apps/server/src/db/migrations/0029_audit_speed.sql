-- The audit page at a million entries per workspace: the address as `inet` (exact address and CIDR network
-- through one btree), its start as text (`10.3.`), and search without the address, whose digits made the
-- trigram index match nearly every row.

-- The address as `inet`, or null when the stored text is not an address (the column is filled by whatever
-- called recordAudit: a bad value must not refuse the entry). An IPv4 address that a dual-stack socket
-- reported as IPv6 (`::ffff:10.1.2.3`) is stored as the IPv4 address it is.
create function audit_inet(ip text) returns inet language plpgsql immutable parallel safe as $$
begin
  if ip ilike '::ffff:%.%' then
    return substr(ip, 8)::inet;
  end if;
  return ip::inet;
exception when others then
  return null;
end $$;
alter table audit_log add column ip_addr inet generated always as (audit_inet(ip)) stored;

-- `ip_addr = $x` reads rows newest first; `ip_addr <<= '10.0.0.0/8'` becomes a range of this index too
-- (PostgreSQL's btree support for inet containment).
create index audit_log_ip_idx on audit_log (workspace_id, ip_addr, created_at desc, id desc);
-- The start of an address as typed, over its canonical text: `host(ip_addr) like '10.3.%'`.
create index audit_log_ip_prefix_idx on audit_log (workspace_id, host(ip_addr) text_pattern_ops, created_at desc, id desc);

-- Search: action, target, data and user agent (the address has its own filter above).
alter table audit_log drop column search_text;
alter table audit_log add column search_text text generated always as (lower(
  action || ' ' || coalesce(target_type, '') || ' ' || coalesce(target_id, '') || ' ' || data::text || ' ' ||
  coalesce(user_agent, ''))) stored;
create index audit_log_search_idx on audit_log using gin (search_text gin_trgm_ops);
