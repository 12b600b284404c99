import crypto from "node:crypto";
import { Readable } from "node:stream";
import { Presence, Role, User } from "@parley/protocol";
import { imageSize } from "image-size";
import { z } from "zod";
import { type AppContext, transact } from "../../context";
import { isAdmin } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { AppError, forbidden, notFound } from "../../lib/errors";
import type { RealtimeHub } from "../../realtime/hub";
import { hashPassword, verifyPassword } from "../auth/sessions";
import { workspacePresence } from "./presence";
import { presentUser, USER_COLUMNS, type UserRow } from "./present";

/** Languages of the agent app; the user's choice follows them to every device. */
export const Locale = z.enum(["en", "ru", "uk"]);
const Password = z.string().min(10, "must be at least 10 characters").max(200);

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
const AVATAR_MAX_SIDE = 4096;
/** Raster formats only: an SVG could carry script. */
const AVATAR_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
};

/**
 * Reads the image header and answers its format and size, or refuses what is not a raster image Parley
 * shows as an avatar (the declared content type is not trusted).
 */
export function checkAvatar(data: Buffer): { mimeType: string; width: number; height: number } {
  let info: { type?: string; width?: number; height?: number };
  try {
    info = imageSize(data);
  } catch {
    throw new AppError("unsupported_media_type", "The avatar must be a PNG, JPEG, WebP or GIF image.");
  }
  const mimeType = info.type ? AVATAR_TYPES[info.type] : undefined;
  if (!mimeType)
    throw new AppError("unsupported_media_type", "The avatar must be a PNG, JPEG, WebP or GIF image.");
  const width = info.width ?? 0;
  const height = info.height ?? 0;
  if (width < 1 || height < 1 || width > AVATAR_MAX_SIDE || height > AVATAR_MAX_SIDE)
    throw new AppError(
      "unprocessable",
      `The avatar must be at most ${AVATAR_MAX_SIDE}×${AVATAR_MAX_SIDE} pixels.`,
    );
  return { mimeType, width, height };
}

const loadUser = async (ctx: AppContext, workspaceId: string, id: string) => {
  const [u] = await ctx.db.query<UserRow>(
    `select ${USER_COLUMNS} from users where id = $1 and workspace_id = $2`,
    [id, workspaceId],
  );
  return u;
};

const audit = (
  q: { query: AppContext["db"]["query"] },
  a: { workspaceId: string; userId: string },
  action: string,
  targetId: string,
  data: unknown,
  ip: string,
) =>
  q.query(
    "insert into audit_log (workspace_id, user_id, action, target_type, target_id, data, ip) values ($1, $2, $3, 'user', $4, $5, $6)",
    [a.workspaceId, a.userId, action, targetId, JSON.stringify(data), ip],
  );

/** The signed-in user's profile, avatar, password, colleagues' presence, and user administration. */
export async function accountRoutes(app: App, ctx: AppContext, hub: RealtimeHub) {
  const tags = ["users"];

  /** Ends every session of a user but one (and closes their sockets here). */
  const endSessions = async (workspaceId: string, userId: string, keep: string | null) => {
    const rows = await ctx.db.query<{ id: string }>(
      "delete from sessions where user_id = $1 and workspace_id = $2 and ($3::text is null or id <> $3) returning id",
      [userId, workspaceId, keep],
    );
    for (const r of rows) hub.closeSession(workspaceId, r.id);
    return rows.length;
  };

  app.patch(
    "/api/me",
    {
      schema: {
        tags,
        summary: "Change my name or language (the language applies on every device at sign-in)",
        body: z
          .object({ name: z.string().trim().min(1).max(120).optional(), locale: Locale.optional() })
          .refine((b) => b.name !== undefined || b.locale !== undefined, "name or locale is required"),
        response: { 200: z.object({ user: User }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const [u] = await ctx.db.query<UserRow>(
        `update users set name = coalesce($3, name), locale = coalesce($4, locale), updated_at = $5
         where id = $1 and workspace_id = $2 returning ${USER_COLUMNS}`,
        [actor.userId, actor.workspaceId, req.body.name ?? null, req.body.locale ?? null, ctx.clock.now()],
      );
      if (!u) throw notFound("User");
      return { user: presentUser(u) };
    },
  );

  app.post(
    "/api/me/password",
    {
      schema: {
        tags,
        summary: "Change my password; my other sessions are signed out",
        body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: Password }),
        response: { 200: z.object({ signedOutSessions: z.number().int() }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const [row] = await ctx.db.query<{ password_hash: string | null }>(
        "select password_hash from users where id = $1 and workspace_id = $2",
        [actor.userId, actor.workspaceId],
      );
      if (!row?.password_hash || !(await verifyPassword(row.password_hash, req.body.currentPassword)))
        throw new AppError("invalid_credentials", "The current password is wrong.");
      const hash = await hashPassword(req.body.newPassword);
      await ctx.db.query("update users set password_hash = $2, updated_at = $3 where id = $1", [
        actor.userId,
        hash,
        ctx.clock.now(),
      ]);
      const signedOutSessions = await endSessions(actor.workspaceId, actor.userId, actor.sessionId);
      return { signedOutSessions };
    },
  );

  // The avatar is sent as the raw image (Content-Type: image/*): no multipart parser is needed.
  await app.register(async (sub: App) => {
    sub.addContentTypeParser(
      ["image/png", "image/jpeg", "image/webp", "image/gif"],
      { parseAs: "buffer", bodyLimit: AVATAR_MAX_BYTES },
      (_req, body, done) => done(null, body),
    );
    sub.put(
      "/api/me/avatar",
      {
        schema: {
          tags,
          summary: "Upload my avatar: the image itself as the body (PNG, JPEG, WebP or GIF, at most 2 MB)",
          response: { 200: z.object({ user: User }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        if (!Buffer.isBuffer(req.body) || req.body.length === 0)
          throw new AppError("unsupported_media_type", "Send the image as the body, with its image/* type.");
        const { mimeType } = checkAvatar(req.body);
        const id = crypto.randomUUID();
        const key = `${actor.workspaceId}/${id}`;
        const stored = await ctx.blobs.put(key, Readable.from([req.body]), AVATAR_MAX_BYTES);
        const ext = Object.entries(AVATAR_TYPES).find(([, m]) => m === mimeType)![0];
        const { user, previous } = await transact(ctx, async (tx) => {
          await tx.q.query(
            `insert into files (id, workspace_id, name, mime_type, size, sha256, storage_key)
             values ($1, $2, $3, $4, $5, $6, $7)`,
            [id, actor.workspaceId, `avatar.${ext}`, mimeType, stored.size, stored.sha256, key],
          );
          const [old] = await tx.q.query<{ avatar_url: string | null }>(
            "select avatar_url from users where id = $1 for update",
            [actor.userId],
          );
          const [u] = await tx.q.query<UserRow>(
            `update users set avatar_url = $2, updated_at = $3 where id = $1 returning ${USER_COLUMNS}`,
            [actor.userId, `/api/files/${id}`, tx.now],
          );
          return { user: u!, previous: old?.avatar_url ?? null };
        });
        await removeAvatarFile(actor.workspaceId, previous);
        return { user: presentUser(user) };
      },
    );
  });

  /** Deletes a replaced avatar's file (only one Parley stored for an avatar). */
  const removeAvatarFile = async (workspaceId: string, url: string | null) => {
    const fileId = url?.match(/^\/api\/files\/([0-9a-f-]{36})$/)?.[1];
    if (!fileId) return;
    const [f] = await ctx.db.query<{ storage_key: string }>(
      "delete from files where id = $1 and workspace_id = $2 and name like 'avatar.%' returning storage_key",
      [fileId, workspaceId],
    );
    if (f) await ctx.blobs.remove(f.storage_key).catch(() => undefined);
  };

  app.delete(
    "/api/me/avatar",
    {
      schema: { tags, summary: "Remove my avatar", response: { 200: z.object({ user: User }) } },
    },
    async (req) => {
      const actor = actorOf(req);
      const before = await loadUser(ctx, actor.workspaceId, actor.userId);
      const [u] = await ctx.db.query<UserRow>(
        `update users set avatar_url = null, updated_at = $2 where id = $1 returning ${USER_COLUMNS}`,
        [actor.userId, ctx.clock.now()],
      );
      await removeAvatarFile(actor.workspaceId, before?.avatar_url ?? null);
      return { user: presentUser(u!) };
    },
  );

  app.get(
    "/api/presence",
    {
      schema: {
        tags,
        summary: "Who of the workspace is online or away (everyone else is offline)",
        response: { 200: z.object({ presence: z.record(z.string(), Presence) }) },
      },
    },
    async (req) => ({
      presence: await workspacePresence(ctx.db, actorOf(req).workspaceId, ctx.clock.now()),
    }),
  );

  app.patch(
    "/api/users/:id",
    {
      schema: {
        tags,
        summary: "Change a person's role, or deactivate / reactivate them (admins)",
        params: z.object({ id: z.uuid() }),
        body: z
          .object({
            role: Role.exclude(["owner"]).optional(),
            status: z.enum(["active", "disabled"]).optional(),
          })
          .refine((b) => b.role !== undefined || b.status !== undefined, "role or status is required"),
        response: { 200: z.object({ user: User }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const target = await loadUser(ctx, actor.workspaceId, req.params.id);
      if (!target) throw notFound("User");
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins manage people.");
      if (target.id === actor.userId)
        throw forbidden("You cannot change your own role or deactivate yourself: ask another admin.");
      if (target.role === "owner") throw forbidden("The owner's account cannot be changed.");
      if (actor.role !== "owner" && (target.role === "admin" || req.body.role === "admin"))
        throw forbidden("Only the owner can make, change or deactivate admins.");
      const user = await transact(ctx, async (tx) => {
        const [u] = await tx.q.query<UserRow>(
          `update users set role = coalesce($3, role), status = coalesce($4, status), updated_at = $5
           where id = $1 and workspace_id = $2 returning ${USER_COLUMNS}`,
          [target.id, actor.workspaceId, req.body.role ?? null, req.body.status ?? null, tx.now],
        );
        await audit(
          tx.q,
          actor,
          "user.updated",
          target.id,
          { before: { role: target.role, status: target.status }, after: req.body },
          req.ip,
        );
        return u!;
      });
      // A deactivated person is signed out everywhere at once; a new role applies to their next request.
      if (req.body.status === "disabled") await endSessions(actor.workspaceId, target.id, null);
      return { user: presentUser(user) };
    },
  );
}
