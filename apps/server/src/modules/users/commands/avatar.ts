import crypto from "node:crypto";
import { Readable } from "node:stream";
import { type AppContext, transact } from "../../../context";
import { kysely } from "../../../db/kysely";
import type { Actor } from "../../../domain/permissions";
import { AppError } from "../../../lib/errors";
import { AVATAR_MAX_BYTES, AVATAR_TYPES, checkAvatar } from "../avatar";
import { presentUser, type UserRow } from "../present";
import { loadUserRow, USER_FIELDS } from "../queries/users";

/** Stores the image as my avatar (replacing the previous one, whose file goes) and answers me. */
export async function setAvatar(ctx: AppContext, actor: Actor, image: unknown) {
  if (!Buffer.isBuffer(image) || image.length === 0)
    throw new AppError("unsupported_media_type", "Send the image as the body, with its image/* type.");
  const { mimeType } = checkAvatar(image);
  const id = crypto.randomUUID();
  const key = `${actor.workspaceId}/${id}`;
  const stored = await ctx.blobs.put(key, Readable.from([image]), AVATAR_MAX_BYTES);
  const ext = Object.entries(AVATAR_TYPES).find(([, m]) => m === mimeType)![0];
  const { user, previous } = await transact(ctx, async (tx) => {
    const k = kysely(tx.q);
    await k
      .insertInto("files")
      .values({
        id,
        workspace_id: actor.workspaceId,
        name: `avatar.${ext}`,
        mime_type: mimeType,
        size: stored.size,
        sha256: stored.sha256,
        storage_key: key,
        created_at: tx.now,
      })
      .execute();
    const old = await k
      .selectFrom("users")
      .select("avatar_url")
      .where("id", "=", actor.userId)
      .forUpdate()
      .executeTakeFirst();
    const u = await k
      .updateTable("users")
      .set({ avatar_url: `/api/files/${id}`, updated_at: tx.now })
      .where("id", "=", actor.userId)
      .returning(USER_FIELDS)
      .executeTakeFirstOrThrow();
    return { user: u as UserRow, previous: old?.avatar_url ?? null };
  });
  await removeAvatarFile(ctx, actor.workspaceId, previous);
  return presentUser(user);
}

/** Removes my avatar (and its file) and answers me. */
export async function removeAvatar(ctx: AppContext, actor: Actor) {
  const before = await loadUserRow(ctx.db, actor.workspaceId, actor.userId);
  const u = await kysely(ctx.db)
    .updateTable("users")
    .set({ avatar_url: null, updated_at: ctx.clock.now() })
    .where("id", "=", actor.userId)
    .returning(USER_FIELDS)
    .executeTakeFirstOrThrow();
  await removeAvatarFile(ctx, actor.workspaceId, before?.avatar_url ?? null);
  return presentUser(u as UserRow);
}

/** Deletes a replaced avatar's file (only one Parley stored for an avatar). */
async function removeAvatarFile(ctx: AppContext, workspaceId: string, url: string | null) {
  const fileId = url?.match(/^\/api\/files\/([0-9a-f-]{36})$/)?.[1];
  if (!fileId) return;
  const f = await kysely(ctx.db)
    .deleteFrom("files")
    .where("id", "=", fileId)
    .where("workspace_id", "=", workspaceId)
    .where("name", "like", "avatar.%")
    .returning("storage_key")
    .executeTakeFirst();
  if (f) await ctx.blobs.remove(f.storage_key).catch(() => undefined);
}
