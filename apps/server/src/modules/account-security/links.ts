import { randomUUID } from "node:crypto";
import type { AppContext } from "../../context";
import type { Queryable } from "../../db/client";
import { sha256Hex } from "../../lib/crypto";
import { AppError } from "../../lib/errors";

export type LinkKind = "password_reset" | "email_change";

/** How long a link works: a password reset for an hour, an email confirmation for a day. */
export const LINK_TTL_MS: Record<LinkKind, number> = {
  password_reset: 3600_000,
  email_change: 24 * 3600_000,
};

const PATHS: Record<LinkKind, string> = { password_reset: "reset-password", email_change: "confirm-email" };

/**
 * A link's token is an HMAC of its id under the server's key: it is never stored (only its SHA-256), yet a
 * mail job that retries after an SMTP outage can write the same link again from the id alone.
 */
export const linkToken = (ctx: AppContext, id: string) => ctx.secrets.mac(`account-link:${id}`);

/** The address a person opens: `<public URL>/reset-password/<token>` or `/confirm-email/<token>`. */
export const linkUrl = (ctx: AppContext, kind: LinkKind, id: string) =>
  `${ctx.config.publicUrl}/${PATHS[kind]}/${linkToken(ctx, id)}`;

export interface NewLink {
  id?: string;
  kind: LinkKind;
  workspaceId: string;
  userId: string;
  newEmail?: string | null;
}

/**
 * Stores a link and retires the person's earlier open links of the same kind (only the newest works).
 * Answers the link's id and expiry, or null when a link with this id exists already (a retried job).
 */
export async function createLink(ctx: AppContext, q: Queryable, link: NewLink, now: Date) {
  const id = link.id ?? randomUUID();
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS[link.kind]);
  await q.query(
    "update account_links set used_at = $3 where user_id = $1 and kind = $2 and used_at is null and id <> $4",
    [link.userId, link.kind, now, id],
  );
  const inserted = await q.query(
    `insert into account_links (id, token_hash, kind, workspace_id, user_id, new_email, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing returning id`,
    [
      id,
      sha256Hex(linkToken(ctx, id)),
      link.kind,
      link.workspaceId,
      link.userId,
      link.newEmail ?? null,
      now,
      expiresAt,
    ],
  );
  return inserted.length ? { id, expiresAt } : null;
}

export interface LinkRow {
  id: string;
  kind: LinkKind;
  workspace_id: string;
  user_id: string;
  new_email: string | null;
  expires_at: Date;
  used_at: Date | null;
}

const LINK_COLUMNS = "id, kind, workspace_id, user_id, new_email, expires_at, used_at";

/** A link by id, whatever its state (the mail job checks it is still open before sending it). */
export async function loadLink(q: Queryable, id: string): Promise<LinkRow | undefined> {
  const [row] = await q.query<LinkRow>(`select ${LINK_COLUMNS} from account_links where id = $1`, [id]);
  return row;
}

export const isOpen = (link: LinkRow, now: Date) => !link.used_at && link.expires_at > now;

/**
 * Uses a link once: marks it used and answers it, or refuses with why (unknown, used, expired). Call inside
 * the transaction that makes the change the link stands for.
 */
export async function claimLink(q: Queryable, token: string, kind: LinkKind, now: Date): Promise<LinkRow> {
  const hash = sha256Hex(token);
  const [claimed] = await q.query<LinkRow>(
    `update account_links set used_at = $3
     where token_hash = $1 and kind = $2 and used_at is null and expires_at > $3 returning ${LINK_COLUMNS}`,
    [hash, kind, now],
  );
  if (claimed) return claimed;
  const [seen] = await q.query<LinkRow>(
    `select ${LINK_COLUMNS} from account_links where token_hash = $1 and kind = $2`,
    [hash, kind],
  );
  const again = kind === "password_reset" ? "Ask for a new one from the sign-in page." : "Ask for a new one.";
  if (!seen)
    throw new AppError("not_found", `This link is not valid: check it was copied whole. ${again}`, {
      reason: "invalid",
    });
  if (seen.used_at)
    throw new AppError("conflict", `This link has already been used. ${again}`, { reason: "used" });
  const hours = LINK_TTL_MS[kind] / 3600_000;
  throw new AppError(
    "conflict",
    `This link has expired: it works for ${hours === 1 ? "one hour" : `${hours} hours`}. ${again}`,
    { reason: "expired" },
  );
}
