import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, requestSource, sessionActorOf } from "../../../http/types";
import { AppError } from "../../../lib/errors";
import { failedSignIn, recordSignInFailed } from "../commands/record-sign-in";
import { checkPassword } from "../commands/sign-in";
import { signOut } from "../commands/sign-out";
import { needsSetup, sessionView } from "../queries/session-view";
import { Email, Password, SessionOut } from "../schema";
import { SESSION_COOKIE } from "../sessions";
import { setupWorkspace } from "../setup-workspace";
import { SharedFailureStore, SIGNIN_WINDOW_MS, SignInLimiter } from "../signin-limiter";
import { secondStepFor } from "../two-factor/challenge";
import { SecondStep } from "../two-factor/schema";
import { signInReply } from "./session-cookie";

const tags = ["auth"];

/** First run, sign-in and sign-out, and the current session. */
export function sessionRoutes(app: App, ctx: AppContext) {
  // Counts wrong passwords only: slows an account down, caps an address (see SignInLimiter).
  const signInLimiter = new SignInLimiter(
    ctx.config.SIGNIN_RATE_LIMIT,
    ctx.clock,
    new SharedFailureStore(ctx.limits, "signin", SIGNIN_WINDOW_MS),
  );

  app.get(
    "/api/setup",
    {
      config: { auth: false },
      schema: {
        tags,
        summary: "Whether the first owner still has to be created",
        response: { 200: z.object({ needsSetup: z.boolean() }) },
      },
    },
    async () => ({ needsSetup: await needsSetup(ctx.db) }),
  );

  app.post(
    "/api/setup",
    {
      config: { auth: false },
      schema: {
        tags,
        summary: "First run: create the workspace and its owner, and sign in",
        body: z.object({
          workspaceName: z.string().trim().min(1).max(120),
          name: z.string().trim().min(1).max(120),
          email: Email,
          password: Password,
        }),
        response: { 201: SessionOut },
      },
    },
    async (req, reply) => {
      const user = await setupWorkspace(ctx, req.body, { onlyIfEmpty: true });
      return reply.code(201).send(await signInReply(ctx, req, reply, user));
    },
  );

  app.post(
    "/api/auth/sign-in",
    {
      config: { auth: false },
      schema: {
        tags,
        summary:
          "Sign in with email and password; sets the session cookie, or answers 202 when a second step (a code) is needed",
        body: z.object({ email: Email, password: z.string().min(1).max(200) }),
        response: { 200: SessionOut, 202: SecondStep },
      },
    },
    async (req, reply) => {
      const { email } = req.body;
      const wait = await signInLimiter.waitMs(req.ip, email);
      if (wait > 0) {
        await recordSignInFailed(ctx, email, requestSource(req), "rate_limited");
        const seconds = Math.ceil(wait / 1000);
        reply.header("retry-after", String(seconds));
        throw new AppError("rate_limited", `Too many wrong passwords. Try again in ${seconds} seconds.`, {
          retryAfterSeconds: seconds,
        });
      }
      const user = await checkPassword(ctx, signInLimiter, req.ip, email, req.body.password).catch(
        failedSignIn(ctx, email, requestSource(req)),
      );
      const secondStep = await secondStepFor(ctx, user);
      if (secondStep) return reply.code(202).send(secondStep);
      return signInReply(ctx, req, reply, user);
    },
  );

  app.post("/api/auth/sign-out", { schema: { tags, summary: "End this session" } }, async (req, reply) => {
    const actor = sessionActorOf(req);
    await signOut(ctx, actor.sessionId);
    ctx.bus.access({ workspaceId: actor.workspaceId, sessionIds: [actor.sessionId] });
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return reply.code(204).send();
  });

  app.get(
    "/api/auth/session",
    {
      schema: {
        tags,
        summary: "The signed-in user, workspace and CSRF token",
        response: { 200: SessionOut },
      },
    },
    async (req) => sessionView(ctx.db, sessionActorOf(req)),
  );
}
