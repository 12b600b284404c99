import { Role } from "@parley/protocol";
import { z } from "zod";
import { SessionOut } from "../schema";

/** A six-digit code from the app (spaces allowed), as typed. */
export const Code = z.string().trim().min(6).max(12);
export const RecoveryCode = z.string().trim().min(10).max(20);
export const PasswordProof = z.string().min(1).max(200);

export const Enrolment = z.object({
  /** The secret in base32, for typing it into the app by hand. */
  secret: z.string(),
  otpauthUrl: z.string(),
  /** The otpauth link as a QR code, a PNG data URL. */
  qrDataUrl: z.string(),
});

export const TwoFactorStatus = z.object({
  enabled: z.boolean(),
  enabledAt: z.string().nullable(),
  recoveryCodesLeft: z.number(),
  /** The workspace requires it for this person's role: it cannot be turned off. */
  required: z.boolean(),
});

/** The password was right and a second step is needed: a code, or setting up two-factor sign-in first. */
export const SecondStep = z.object({
  next: z.enum(["code", "enrol"]),
  /** Single-use and short-lived: send it back with the code. Not a session. */
  challenge: z.string(),
  expiresAt: z.string(),
  /** For `enrol`: the new secret to add to an authenticator app. */
  enrolment: Enrolment.nullable(),
});

export const SecondStepIn = z
  .object({
    challenge: z.string().min(10).max(100),
    code: Code.optional(),
    recoveryCode: RecoveryCode.optional(),
  })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
    message: "Send either a code from the app or a recovery code.",
    path: ["code"],
  });

export const SignedInWithCode = SessionOut.extend({
  twoFactor: z.object({
    usedRecoveryCode: z.boolean(),
    /** After a recovery code: how many are left (0: make new ones now). */
    recoveryCodesLeft: z.number().nullable(),
    /** After a forced setup: the new recovery codes, shown once. */
    recoveryCodes: z.array(z.string()).nullable(),
  }),
});

/** One proof of who the caller is: the password, a code from the app, or a recovery code (spent by it). */
export const ProofIn = z
  .object({
    password: PasswordProof.optional(),
    code: Code.optional(),
    recoveryCode: RecoveryCode.optional(),
  })
  .refine((b) => [b.password, b.code, b.recoveryCode].filter((v) => v !== undefined).length === 1, {
    message: "Send one of: the password, a code from the app, or a recovery code.",
    path: ["password"],
  });

export const DisableIn = ProofIn;

export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });
export const StepUpState = z.object({ recentUntil: z.string().nullable() });
export const SteppedUp = StepUpState.extend({
  /** After a recovery code: how many are left (0: make new ones now); null for the password or a code. */
  recoveryCodesLeft: z.number().nullable(),
});
export const PolicyIn = z.object({ roles: z.array(Role).max(4) });
