import crypto from "node:crypto";
import type { Queryable } from "../../../db/client";
import { sha256Hex } from "../../../lib/crypto";

/** A person's two-factor state: the sealed secret, whether it is in force, the last accepted time-step. */
export interface TwoFactorRow {
  secret_enc: string;
  enabled_at: Date | null;
  last_step: string | number | null;
}

export async function loadTwoFactor(q: Queryable, userId: string): Promise<TwoFactorRow | null> {
  const [row] = await q.query<TwoFactorRow>(
    "select secret_enc, enabled_at, last_step from user_two_factor where user_id = $1",
    [userId],
  );
  return row ?? null;
}

/** Keeps a new secret waiting for its first code (replacing an earlier one that never was confirmed). */
export async function savePendingSecret(q: Queryable, userId: string, secretEnc: string, now: Date) {
  await q.query(
    `insert into user_two_factor (user_id, secret_enc, enabled_at, last_step, created_at)
     values ($1, $2, null, null, $3)
     on conflict (user_id) do update set secret_enc = excluded.secret_enc, last_step = null,
       created_at = excluded.created_at
     where user_two_factor.enabled_at is null`,
    [userId, secretEnc, now],
  );
}

/**
 * Takes a time-step as used, once: true only when it is newer than every step accepted before, so the same
 * code (or an older one) replayed within its window is refused, even by two requests at the same moment.
 */
export async function acceptStep(q: Queryable, userId: string, step: number): Promise<boolean> {
  const rows = await q.query(
    `update user_two_factor set last_step = $2
     where user_id = $1 and (last_step is null or last_step < $2) returning 1`,
    [userId, step],
  );
  return rows.length === 1;
}

export async function markEnabled(q: Queryable, userId: string, now: Date) {
  await q.query("update user_two_factor set enabled_at = $2 where user_id = $1", [userId, now]);
}

/** Turns two-factor sign-in off: the secret and every recovery code go. */
export async function removeTwoFactor(q: Queryable, userId: string) {
  await q.query("delete from two_factor_recovery_codes where user_id = $1", [userId]);
  await q.query("delete from user_two_factor where user_id = $1", [userId]);
}

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i: read off paper without doubt

/** A recovery code as people may type it: case, spaces and dashes do not matter. */
const normalise = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, "");
// Salted with the person's id: the same code of two people never has the same hash.
const hashCode = (userId: string, code: string) => sha256Hex(`${userId}:${normalise(code)}`);

/** Replaces a person's recovery codes with ten new ones (about 50 random bits each), answered once. */
export async function replaceRecoveryCodes(q: Queryable, userId: string, now: Date): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
  await q.query("delete from two_factor_recovery_codes where user_id = $1", [userId]);
  await q.query(
    `insert into two_factor_recovery_codes (user_id, code_hash, created_at)
     select $1, h, $3 from unnest($2::text[]) as h`,
    [userId, codes.map((c) => hashCode(userId, c)), now],
  );
  return codes;
}

/** Uses a recovery code once: true when it was one of the person's unused codes. */
export async function useRecoveryCode(q: Queryable, userId: string, code: string, now: Date) {
  if (normalise(code).length !== 10) return false;
  const rows = await q.query(
    `update two_factor_recovery_codes set used_at = $3
     where user_id = $1 and code_hash = $2 and used_at is null returning 1`,
    [userId, hashCode(userId, code), now],
  );
  return rows.length === 1;
}

export async function recoveryCodesLeft(q: Queryable, userId: string): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    "select count(*)::int as n from two_factor_recovery_codes where user_id = $1 and used_at is null",
    [userId],
  );
  return row!.n;
}
