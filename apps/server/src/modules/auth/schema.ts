import { Permission, Role, User } from "@parley/protocol";
import { z } from "zod";

export const Email = z
  .email()
  .max(320)
  .transform((e) => e.toLowerCase());
export const Password = z.string().min(10, "must be at least 10 characters").max(200);
export const SessionOut = z.object({
  user: User,
  csrfToken: z.string(),
  workspace: z.object({ id: z.string(), name: z.string() }),
  /** The rights the user holds (R801): the web app shows what they may do from this list. */
  permissions: z.array(Permission),
  /** The workspace requires two-factor sign-in for the user's role and they have not set it up: the web app
   * shows only the setup, and other requests answer 403 `two_factor_enrolment_required`. */
  twoFactorEnrolmentRequired: z.boolean(),
});

export const Invitation = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  /** The custom role the person joins with (its base is `role`), or null for the built-in role. */
  customRole: z.object({ id: z.string(), name: z.string() }).nullable(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  createdAt: z.string(),
});
export const InvitationToken = z.string().min(10).max(100);
