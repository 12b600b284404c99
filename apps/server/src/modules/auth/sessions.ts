import { hash, verify } from "@node-rs/argon2";
import type { Role } from "@parley/protocol";
import type { Queryable } from "../../db/client";
import { permissionsFor } from "../../domain/permissions";
import type { SessionActor } from "../../http/types";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { storedPermissionsSql } from "../users/queries/permissions-sql";

export const SESSION_COOKIE = "parley_session";

/** Argon2id with OWASP's recommended parameters (19 MiB, 2 passes). */
export const hashPassword = (password: string) =>
  hash(password, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
export const verifyPassword = (stored: string, password: string) =>
  verify(stored, password).catch(() => false);

// A hash of a random password: signing in with an unknown email costs the same as with a known one.
let dummyHash: Promise<string> | null = null;
export const timingDummy = () => {
  dummyHash ??= hashPassword(randomToken());
  return dummyHash;
};

export async function createSession(
  q: Queryable,
  user: { id: string; workspace_id: string },
  ttlHours: number,
  meta: { ip: string | null; userAgent: string | null },
  now: Date,
) {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000);
  await q.query(
    `insert into sessions (id, user_id, workspace_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $7, $8)`,
    [
      sha256Hex(token),
      user.id,
      user.workspace_id,
      csrfToken,
      meta.ip,
      meta.userAgent?.slice(0, 500) ?? null,
      now,
      expiresAt,
    ],
  );
  return { token, csrfToken, expiresAt };
}

/** Whether user `u` of workspace `w` must set up two-factor sign-in before going on (R802, see two-factor.md). */
const ENROLMENT_REQUIRED_SQL = `(coalesce(w.settings -> 'twoFactorRoles', '[]'::jsonb) ? u.role::text
  and not exists (select 1 from user_two_factor t where t.user_id = u.id and t.enabled_at is not null))`;

/** Resolves a session cookie to the caller, with the teams and rights its policies need. */
export const resolveSession = (db: Queryable, token: string, now: Date) =>
  resolveSessionById(db, sha256Hex(token), now);

/** The caller of a session by its stored id (the hash of its cookie), or null once it ended. */
export async function resolveSessionById(
  db: Queryable,
  sessionId: string,
  now: Date,
): Promise<SessionActor | null> {
  const [row] = await db.query<{
    session_id: string;
    csrf_token: string;
    user_id: string;
    workspace_id: string;
    role: Role;
    name: string;
    email: string;
    team_ids: string[];
    stored_permissions: string[] | null;
    last_seen_at: Date;
    enrolment_required: boolean;
  }>(
    `select s.id as session_id, s.csrf_token, s.last_seen_at, u.id as user_id, u.workspace_id, u.role, u.name, u.email,
       coalesce((select array_agg(tm.team_id::text) from team_members tm where tm.user_id = u.id), '{}') as team_ids,
       ${storedPermissionsSql("u")} as stored_permissions, ${ENROLMENT_REQUIRED_SQL} as enrolment_required
     from sessions s join users u on u.id = s.user_id join workspaces w on w.id = u.workspace_id
     where s.id = $1 and s.expires_at > $2 and u.status = 'active'`,
    [sessionId, now],
  );
  if (!row) return null;
  return {
    sessionId: row.session_id,
    csrfToken: row.csrf_token,
    userId: row.user_id,
    workspaceId: row.workspace_id,
    role: row.role,
    teamIds: row.team_ids,
    permissions: permissionsFor(row.role, row.stored_permissions),
    name: row.name,
    email: row.email,
    lastSeenAt: row.last_seen_at,
    twoFactorEnrolmentRequired: row.enrolment_required,
  };
}
