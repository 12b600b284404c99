import { z } from "zod";
import type { AppContext } from "../../../context";
import { mustHold } from "../../../domain/permissions";
import { type App, actorOf, requestSource, type SessionActor, sessionActorOf } from "../../../http/types";
import { SharedFailureStore, SIGNIN_WINDOW_MS, SignInLimiter } from "../signin-limiter";
import { recentAuthUntil, requireRecentAuth, stepUp } from "../step-up";
import { completeSecondStep } from "../two-factor/challenge";
import {
  confirmEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
  startEnrolment,
  twoFactorStatus,
} from "../two-factor/manage";
import { setTwoFactorPolicy } from "../two-factor/policy";
import {
  Code,
  DisableIn,
  Enrolment,
  PolicyIn,
  ProofIn,
  RecoveryCodes,
  SecondStepIn,
  SignedInWithCode,
  SteppedUp,
  StepUpState,
  TwoFactorStatus,
} from "../two-factor/schema";
import { refuseWhileLimited } from "../two-factor/verify";
import { setSessionCookie } from "./session-cookie";

const tags = ["auth"];

/** The caller as the one proving who they are, from the request's address and browser. */
const proverOf = (actor: SessionActor, req: { ip: string; headers: { "user-agent"?: string } }) => ({
  userId: actor.userId,
  workspaceId: actor.workspaceId,
  email: actor.email,
  ...requestSource(req),
});

/** Two-factor sign-in (R802): the second sign-in step, one's own setup, step-up, and the workspace's policy. */
export function twoFactorRoutes(app: App, ctx: AppContext) {
  // Wrong codes (and step-up passwords) are counted apart from the password step's limiter: a right password
  // clears that one, and must not clear the count of wrong codes that follow it.
  const limiter = new SignInLimiter(
    ctx.config.SIGNIN_RATE_LIMIT,
    ctx.clock,
    new SharedFailureStore(ctx.limits, "second-step", SIGNIN_WINDOW_MS),
  );

  app.post(
    "/api/auth/sign-in/two-factor",
    {
      config: { auth: false },
      schema: {
        tags,
        summary: "Second sign-in step: a code from the app or a recovery code; sets the session cookie",
        body: SecondStepIn,
        response: { 200: SignedInWithCode },
      },
    },
    async (req, reply) => {
      const { session, twoFactor } = await completeSecondStep(
        ctx,
        limiter,
        reply,
        req.body,
        requestSource(req),
      );
      return { ...setSessionCookie(ctx, reply, session), twoFactor };
    },
  );

  app.get(
    "/api/auth/two-factor",
    {
      schema: { tags, summary: "Whether one's two-factor sign-in is on", response: { 200: TwoFactorStatus } },
    },
    async (req) => twoFactorStatus(ctx, actorOf(req)),
  );

  app.post(
    "/api/auth/two-factor/enrol",
    {
      schema: {
        tags,
        summary: "Start setting up two-factor sign-in: a new secret and its QR code (confirm with a code)",
        response: { 200: Enrolment },
      },
    },
    async (req) => {
      const actor = sessionActorOf(req);
      await requireRecentAuth(ctx, actor);
      return startEnrolment(ctx, actor);
    },
  );

  app.post(
    "/api/auth/two-factor/confirm",
    {
      schema: {
        tags,
        summary:
          "Turn two-factor sign-in on with the first code from the app; answers ten recovery codes, once",
        body: z.object({ code: Code }),
        response: { 200: RecoveryCodes },
      },
    },
    async (req, reply) => {
      const actor = sessionActorOf(req);
      await refuseWhileLimited(limiter, reply, req.ip, actor.email);
      return { recoveryCodes: await confirmEnrolment(ctx, limiter, proverOf(actor, req), req.body.code) };
    },
  );

  app.post(
    "/api/auth/two-factor/disable",
    {
      schema: {
        tags,
        summary: "Turn two-factor sign-in off with the password, a code or a recovery code",
        body: DisableIn,
      },
    },
    async (req, reply) => {
      const actor = sessionActorOf(req);
      await refuseWhileLimited(limiter, reply, req.ip, actor.email);
      await disableTwoFactor(ctx, limiter, { ...proverOf(actor, req), role: actor.role }, req.body);
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/auth/two-factor/recovery-codes",
    {
      schema: {
        tags,
        summary:
          "Replace one's recovery codes with ten new ones (shown once; needs a recent sign-in or step-up)",
        response: { 200: RecoveryCodes },
      },
    },
    async (req) => {
      const actor = sessionActorOf(req);
      await requireRecentAuth(ctx, actor);
      return { recoveryCodes: await regenerateRecoveryCodes(ctx, proverOf(actor, req)) };
    },
  );

  app.get(
    "/api/auth/step-up",
    {
      schema: {
        tags,
        summary: "Until when this session counts as recently signed in (null: confirm again first)",
        response: { 200: StepUpState },
      },
    },
    async (req) => {
      const until = await recentAuthUntil(ctx, sessionActorOf(req).sessionId);
      return { recentUntil: until?.toISOString() ?? null };
    },
  );

  app.post(
    "/api/auth/step-up",
    {
      schema: {
        tags,
        summary:
          "Confirm it is you (password, a current code or a recovery code, which is spent) before exports, erasure and other dangerous actions",
        body: ProofIn,
        response: { 200: SteppedUp },
      },
    },
    async (req, reply) => {
      const actor = sessionActorOf(req);
      await refuseWhileLimited(limiter, reply, req.ip, actor.email);
      return stepUp(ctx, limiter, proverOf(actor, req), actor.sessionId, req.body);
    },
  );

  app.put(
    "/api/workspace/two-factor-policy",
    {
      schema: {
        tags: ["workspace"],
        summary: "Choose the roles that must use two-factor sign-in (owner and admin roles: the owner only)",
        body: PolicyIn,
        response: { 200: PolicyIn },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "workspace.manage");
      return { roles: await setTwoFactorPolicy(ctx, actor, req.body.roles, requestSource(req)) };
    },
  );
}
