import { type AppContext, transact } from "../../../context";
import { can } from "../../../domain/permissions";
import type { RequestActor } from "../../../http/types";
import { randomToken, sha256Hex } from "../../../lib/crypto";
import { badRequest, forbidden } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { loadToken } from "../queries/list-tokens";
import { SHOWN_PREFIX_LENGTH, TOKEN_PREFIX } from "../resolve";
import type { CreateTokenBody } from "../schema";

/**
 * Creates a workspace API token with the chosen permissions (never one the creator lacks) and returns its
 * secret, the only time it is shown: only its SHA-256 is stored.
 */
export async function createToken(
  ctx: AppContext,
  actor: RequestActor,
  input: CreateTokenBody,
  source: { ip: string; userAgent: string | null; tokenId: string | null },
) {
  const lacking = input.permissions.filter((p) => !can(actor, p));
  if (lacking.length)
    throw forbidden(
      `A token cannot have a permission you do not hold yourself: ${lacking.join(", ")}. Remove it and try again.`,
    );
  const now = ctx.clock.now();
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= now.getTime())
    throw badRequest("The expiry date is in the past: choose a later one, or none.");
  const secret = `${TOKEN_PREFIX}${randomToken(32)}`;
  const id = await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{ id: string }>(
      `insert into api_tokens (workspace_id, created_by, name, prefix, secret_hash, permissions, rate_limit,
         created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
      [
        actor.workspaceId,
        actor.userId,
        input.name,
        secret.slice(0, SHOWN_PREFIX_LENGTH),
        sha256Hex(secret),
        input.permissions,
        input.rateLimit,
        tx.now,
        expiresAt,
      ],
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "api_token.created",
      targetType: "api_token",
      targetId: row!.id,
      data: {
        name: input.name,
        permissions: input.permissions,
        expiresAt: expiresAt?.toISOString() ?? null,
        rateLimit: input.rateLimit,
      },
      ...source,
      at: tx.now,
    });
    return row!.id;
  });
  return { token: (await loadToken(ctx.db, actor.workspaceId, id))!, secret };
}
