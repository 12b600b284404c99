import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, actorOf, requestSource, sessionActorOf } from "../../../http/types";
import { AppError } from "../../../lib/errors";
import { Email, Password } from "../../auth/schema";
import { confirmEmailChange, requestEmailChange } from "../commands/email-change";
import { confirmPasswordReset, issueResetLink, requestPasswordReset } from "../commands/password-reset";
import { canMail } from "../mail";
import { ResetLimiter } from "../reset-limiter";

const tags = ["auth"];
const LinkToken = z.string().min(20).max(200);

/** Forgotten passwords (R802), admins' reset links, and confirmed email changes. */
export function recoveryRoutes(app: App, ctx: AppContext) {
  const limiter = new ResetLimiter(ctx.limits, ctx.clock);

  app.get(
    "/api/auth/password-reset",
    {
      config: { auth: false },
      schema: {
        tags,
        summary: "Whether Parley can email reset and confirmation links (an SMTP server is configured)",
        response: { 200: z.object({ byEmail: z.boolean() }) },
      },
    },
    async () => ({ byEmail: canMail(ctx) }),
  );

  app.post(
    "/api/auth/password-reset",
    {
      config: { auth: false },
      schema: {
        tags,
        summary:
          "Forgot password: emails a reset link (valid one hour) to an active account; answers the same for any address",
        body: z.object({ email: Email }),
        response: { 202: z.object({ accepted: z.literal(true) }) },
      },
    },
    async (req, reply) => {
      const wait = await limiter.take(req.ip, req.body.email);
      if (wait > 0) {
        reply.header("retry-after", String(wait));
        throw new AppError(
          "rate_limited",
          `Too many reset requests. Try again in ${Math.ceil(wait / 60)} minutes.`,
          { retryAfterSeconds: wait },
        );
      }
      await requestPasswordReset(ctx, req.body.email, requestSource(req));
      return reply.code(202).send({ accepted: true });
    },
  );

  app.post(
    "/api/auth/password-reset/confirm",
    {
      config: { auth: false, rateLimit: { max: 30, timeWindow: "15 minutes" } },
      schema: {
        tags,
        summary: "Sets a new password from a reset link (once) and signs the person out everywhere",
        body: z.object({ token: LinkToken, password: Password }),
        response: { 200: z.object({ signedOutSessions: z.number().int() }) },
      },
    },
    async (req) => confirmPasswordReset(ctx, req.body, requestSource(req)),
  );

  app.post(
    "/api/users/:id/password-reset-link",
    {
      schema: {
        tags: ["users"],
        summary: "Issues a password reset link for a person to hand over (people.manage); valid one hour",
        params: z.object({ id: z.uuid() }),
        response: { 201: z.object({ url: z.string(), expiresAt: z.string() }) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await issueResetLink(ctx, actorOf(req), req.params.id, requestSource(req))),
  );

  app.post(
    "/api/me/email",
    {
      schema: {
        tags: ["users"],
        summary: "Change my email: needs my password; a link sent to the new address confirms it (24 hours)",
        body: z.object({ email: Email, password: z.string().min(1).max(200) }),
        response: { 202: z.object({ email: z.string(), expiresAt: z.string() }) },
      },
    },
    async (req, reply) =>
      reply.code(202).send(await requestEmailChange(ctx, sessionActorOf(req), req.body, requestSource(req))),
  );

  app.post(
    "/api/auth/email-change/confirm",
    {
      config: { auth: false, rateLimit: { max: 30, timeWindow: "15 minutes" } },
      schema: {
        tags,
        summary: "Confirms a new email address from the link sent to it (once)",
        body: z.object({ token: LinkToken }),
        response: { 200: z.object({ email: z.string() }) },
      },
    },
    async (req) => confirmEmailChange(ctx, req.body.token, requestSource(req)),
  );
}
