import { Presence, Role, User } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { type App, actorOf, requestSource } from "../../http/types";
import { AVATAR_MAX_BYTES } from "./avatar";
import { removeAvatar, setAvatar } from "./commands/avatar";
import { changePassword } from "./commands/change-password";
import { updateProfile } from "./commands/update-profile";
import { updateUser } from "./commands/update-user";
import { workspacePresence } from "./presence";

/** Languages of the agent app; the user's choice follows them to every device. */
export const Locale = z.enum(["en", "ru", "uk"]);
const Password = z.string().min(10, "must be at least 10 characters").max(200);

/** The signed-in user's profile, avatar, password, colleagues' presence, and user administration. */
export async function accountRoutes(app: App, ctx: AppContext) {
  const tags = ["users"];

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
    async (req) => ({ user: await updateProfile(ctx, actorOf(req), req.body) }),
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
    async (req) => ({ signedOutSessions: await changePassword(ctx, actorOf(req), req.body) }),
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
      async (req) => ({ user: await setAvatar(ctx, actorOf(req), req.body) }),
    );
  });

  app.delete(
    "/api/me/avatar",
    {
      schema: { tags, summary: "Remove my avatar", response: { 200: z.object({ user: User }) } },
    },
    async (req) => ({ user: await removeAvatar(ctx, actorOf(req)) }),
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
    async (req) => ({
      user: await updateUser(ctx, actorOf(req), req.params.id, req.body, requestSource(req)),
    }),
  );
}
