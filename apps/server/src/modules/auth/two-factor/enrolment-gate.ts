import type { RequestActor } from "../../../http/types";
import { AppError } from "../../../lib/errors";

/**
 * What a session may still call while its person must set up two-factor sign-in (their role requires it and
 * they signed in before it did): their session, signing out, step-up and setting up two-factor itself.
 */
const ALLOWED = new Set([
  "GET /api/auth/session",
  "POST /api/auth/sign-out",
  "GET /api/auth/step-up",
  "POST /api/auth/step-up",
  "GET /api/auth/two-factor",
  "POST /api/auth/two-factor/enrol",
  "POST /api/auth/two-factor/confirm",
]);

/**
 * Refuses every other request of a session whose person has not set up the two-factor sign-in their role
 * requires (R802): the policy holds for sessions opened before it was turned on, from their next request.
 * The web app answers the code by showing the setup. API tokens are not sessions and are not asked.
 */
export function requireEnrolled(actor: RequestActor, method: string, route: string) {
  if (actor.tokenId !== undefined || !actor.twoFactorEnrolmentRequired) return;
  if (ALLOWED.has(`${method} ${route}`)) return;
  throw new AppError(
    "two_factor_enrolment_required",
    "Your workspace requires two-factor sign-in for your role. Set it up (Profile → Two-factor sign-in) to continue.",
  );
}
