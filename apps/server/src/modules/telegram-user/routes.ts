import { z } from "zod";
import { StartLogin } from "../../channels/telegram-user/payloads";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { iso } from "../../lib/time";
import { requireRecentAuth } from "../auth/step-up";
import type { ConnectionActor } from "../connections/commands/activate";
import { Connection, presentConnection } from "../connections/schemas";
import { cancelLogin } from "./commands/cancel-login";
import type { LoginView } from "./commands/start-login";
import { startLogin } from "./commands/start-login";
import { submitCode } from "./commands/submit-code";
import { submitPassword } from "./commands/submit-password";

const tags = ["channel connections"];
const IdParams = z.object({ id: z.uuid() });

const Login = z.object({
  id: z.string(),
  step: z.enum(["code", "password"]),
  passwordHint: z.string().nullable(),
  expiresAt: z.string(),
});
/** The next step of the sign-in, or the connection it made. */
const StepResult = z.object({ login: Login.nullable(), connection: Connection.nullable() });

function adminOf(req: Parameters<typeof actorOf>[0] & Parameters<typeof requestSource>[0]): ConnectionActor {
  const actor = actorOf(req);
  mustHold(actor, "channels.manage");
  return { workspaceId: actor.workspaceId, userId: actor.userId, ...requestSource(req) };
}

const presentLogin = (l: LoginView) => ({ ...l, expiresAt: iso(l.expiresAt)! });

/** Connecting a personal Telegram account (R452): phone → login code → cloud password when set. */
export async function telegramUserRoutes(app: App, ctx: AppContext) {
  const present = presentConnection.bind(null, ctx.channels);

  app.post(
    "/api/telegram-user/logins",
    {
      schema: {
        tags,
        summary: "Start connecting a personal Telegram account: Telegram sends a login code (admins)",
        body: StartLogin,
        response: { 201: z.object({ login: Login }) },
      },
    },
    async (req, reply) => {
      const admin = adminOf(req);
      await requireRecentAuth(ctx, actorOf(req));
      const login = await startLogin(ctx, admin, req.body);
      return reply.code(201).send({ login: presentLogin(login) });
    },
  );

  app.post(
    "/api/telegram-user/logins/:id/code",
    {
      schema: {
        tags,
        summary:
          "The login code Telegram sent: connects the account, or asks for its cloud password (admins)",
        params: IdParams,
        body: z.object({
          code: z
            .string()
            .trim()
            .regex(/^\d{4,8}$/, "The code is 4 to 8 digits."),
        }),
        response: { 200: StepResult },
      },
    },
    async (req) => {
      const r = await submitCode(ctx, adminOf(req), req.params.id, req.body.code);
      return "login" in r
        ? { login: presentLogin(r.login), connection: null }
        : { login: null, connection: present(r.connection) };
    },
  );

  app.post(
    "/api/telegram-user/logins/:id/password",
    {
      schema: {
        tags,
        summary: "The account's cloud password (two-step verification): connects the account (admins)",
        params: IdParams,
        body: z.object({ password: z.string().min(1, "Enter the password.").max(256) }),
        response: { 200: StepResult },
      },
    },
    async (req) => {
      const row = await submitPassword(ctx, adminOf(req), req.params.id, req.body.password);
      return { login: null, connection: present(row) };
    },
  );

  app.delete(
    "/api/telegram-user/logins/:id",
    { schema: { tags, summary: "Abandon a sign-in in progress (admins)", params: IdParams } },
    async (req, reply) => {
      await cancelLogin(ctx, adminOf(req), req.params.id);
      return reply.code(204).send();
    },
  );
}
