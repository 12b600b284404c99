import type { Permission, Role } from "@parley/protocol";
import type { Queryable } from "../../db/client";
import { type Actor, permissionsFor } from "../../domain/permissions";
import type { TokenActor } from "../../http/types";
import { sha256Hex } from "../../lib/crypto";
import { storedPermissionsSql } from "../users/queries/permissions-sql";

/** What every API token's secret starts with, so a leaked one is recognisable (and secret scanners can find it). */
export const TOKEN_PREFIX = "prl_";
/** The length of the start of a secret shown in lists (`prl_` and 8 characters). */
export const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;
/** Requests a token may make per minute unless it was given another limit. */
export const DEFAULT_RATE_LIMIT = 600;
export const RATE_WINDOW_MS = 60_000;
/** Last-used time is written at most this often from one address. */
const LAST_USED_EVERY = "1 minute";
/** How many distinct addresses a token remembers (the most recent), to notice a new one. */
export const SEEN_ADDRESSES = 100;

export type TokenResolution =
  | { kind: "unknown" }
  | { kind: "revoked" | "expired" | "inactive_creator"; name: string }
  | { kind: "rate_limited"; retryAfterSeconds: number; limit: number; name: string }
  | { kind: "ok"; actor: TokenActor; newAddress: boolean };

const MISSES = Symbol("permissions asked for and not held");
type Tracked = Permission[] & { [MISSES]?: Set<Permission> };

/**
 * A token's permissions that remember which ones a check asked for and did not find (`can` asks
 * `permissions.includes`), so a refusal can name them whatever route refused (see `missedPermissions`).
 */
function withMisses(list: Permission[]): Permission[] {
  const tracked = list as Tracked;
  const misses = new Set<Permission>();
  Object.defineProperty(tracked, MISSES, { value: misses });
  Object.defineProperty(tracked, "includes", {
    value: (p: Permission) => {
      const held = Array.prototype.includes.call(list, p);
      if (!held) misses.add(p);
      return held;
    },
  });
  return tracked;
}

/** The permissions checks asked a token's actor for during this request and it does not hold. */
export const missedPermissions = (permissions: readonly Permission[]): Permission[] => [
  ...((permissions as Tracked)[MISSES] ?? []),
];

/**
 * What a token may do: the permissions it was given that its creator still holds (a creator who lost a right
 * takes it from their tokens too).
 */
function tokenPermissions(
  given: readonly string[],
  role: Role,
  stored: readonly string[] | null,
): Permission[] {
  const creator = permissionsFor(role, stored);
  return given.filter((p): p is Permission => creator.includes(p as Permission));
}

interface Row {
  id: string;
  workspace_id: string;
  name: string;
  permissions: string[];
  rate_limit: number;
  revoked_at: Date | null;
  expires_at: Date | null;
  user_id: string;
  role: Role;
  status: string;
  user_name: string;
  email: string;
  team_ids: string[];
  stored_permissions: string[] | null;
  window_start: Date | null;
  window_count: number | null;
  new_address: boolean | null;
  bot_id: string | null;
}

/**
 * Resolves a bearer secret in one statement, by the hash of the secret (indexed): the token with its creator's
 * current rights, and — for a token that may act — counts this request in the token's one-minute window, notes
 * when and from where it was used (the time at most once a minute unless the address changed) and whether the
 * address is new among the last SEEN_ADDRESSES. The row lock taken first makes concurrent requests of one token
 * count and notice a new address once, in any process.
 */
export async function resolveApiToken(
  db: Queryable,
  secret: string,
  ip: string,
  now: Date,
): Promise<TokenResolution> {
  if (!secret.startsWith(TOKEN_PREFIX)) return { kind: "unknown" };
  const [row] = await db.query<Row>(
    `with cur as (
       select t.*, u.role, u.status, u.name as user_name, u.email,
         ${storedPermissionsSql("u")} as stored_permissions
       from api_tokens t join users u on u.id = t.created_by
       where t.secret_hash = $1
       for update of t
     ), upd as (
       update api_tokens t set
         window_start = case when cur.window_start > $2::timestamptz - interval '${RATE_WINDOW_MS} milliseconds'
           then cur.window_start else $2 end,
         window_count = case when cur.window_start > $2::timestamptz - interval '${RATE_WINDOW_MS} milliseconds'
           then cur.window_count + 1 else 1 end,
         last_used_at = case when cur.last_used_at > $2::timestamptz - interval '${LAST_USED_EVERY}'
           and cur.last_used_ip is not distinct from $3 then cur.last_used_at else $2 end,
         last_used_ip = $3,
         seen_ips = case when $3 = any(cur.seen_ips) then cur.seen_ips
           else (array_append(cur.seen_ips, $3::text))[greatest(1, cardinality(cur.seen_ips) + 2 - ${SEEN_ADDRESSES}):] end
       from cur
       where t.id = cur.id and cur.revoked_at is null and (cur.expires_at is null or cur.expires_at > $2)
         and cur.status = 'active'
       returning t.id, t.window_start, t.window_count, not ($3 = any(cur.seen_ips)) as new_address
     )
     select cur.id, cur.workspace_id, cur.name, cur.permissions, cur.rate_limit, cur.revoked_at, cur.expires_at,
       cur.created_by as user_id, cur.role, cur.status, cur.user_name, cur.email, cur.stored_permissions,
       coalesce((select array_agg(tm.team_id::text) from team_members tm where tm.user_id = cur.created_by), '{}')
         as team_ids,
       upd.window_start, upd.window_count, upd.new_address, cur.bot_id
     from cur left join upd on upd.id = cur.id`,
    [sha256Hex(secret), now, ip],
  );
  if (!row) return { kind: "unknown" };
  if (row.revoked_at) return { kind: "revoked", name: row.name };
  if (row.expires_at && row.expires_at.getTime() <= now.getTime()) return { kind: "expired", name: row.name };
  if (row.status !== "active" || !row.window_start) return { kind: "inactive_creator", name: row.name };
  if ((row.window_count ?? 0) > row.rate_limit) {
    const left = new Date(row.window_start).getTime() + RATE_WINDOW_MS - now.getTime();
    return {
      kind: "rate_limited",
      retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)),
      limit: row.rate_limit,
      name: row.name,
    };
  }
  const permissions = withMisses(tokenPermissions(row.permissions, row.role, row.stored_permissions));
  return {
    kind: "ok",
    newAddress: row.new_address === true,
    actor: {
      tokenId: row.id,
      tokenName: row.name,
      userId: row.user_id,
      workspaceId: row.workspace_id,
      role: row.role,
      teamIds: row.team_ids,
      permissions,
      name: row.user_name,
      email: row.email,
      ...(row.bot_id ? { botId: row.bot_id } : {}),
    },
  };
}

/**
 * The actor a token is now, for work it asked for that runs later (a bulk action's job): its creator with the
 * token's permissions, as a request with it would be; null when such a request would be refused (the token
 * revoked, expired or gone, its creator deactivated). Counts no request and notes no use.
 */
export async function tokenActorNow(db: Queryable, tokenId: string, now: Date): Promise<Actor | null> {
  const [row] = await db.query<{
    workspace_id: string;
    permissions: string[];
    bot_id: string | null;
    user_id: string;
    role: Role;
    team_ids: string[];
    stored_permissions: string[] | null;
  }>(
    `select t.workspace_id, t.permissions, t.bot_id, u.id as user_id, u.role,
       coalesce((select array_agg(tm.team_id::text) from team_members tm where tm.user_id = u.id), '{}') as team_ids,
       ${storedPermissionsSql("u")} as stored_permissions
     from api_tokens t join users u on u.id = t.created_by
     where t.id = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2) and u.status = 'active'`,
    [tokenId, now],
  );
  if (!row) return null;
  return {
    userId: row.user_id,
    workspaceId: row.workspace_id,
    role: row.role,
    teamIds: row.team_ids,
    permissions: tokenPermissions(row.permissions, row.role, row.stored_permissions),
    ...(row.bot_id ? { botId: row.bot_id } : {}),
  };
}
