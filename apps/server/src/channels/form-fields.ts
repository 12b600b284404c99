import type { z } from "zod";
import { AppError } from "../lib/errors";

/**
 * Connection-form metadata for a credentials or settings field, attached with `.meta()` and carried into
 * the form's JSON schema: `title` and `description` are i18n keys of the web app's `channelForms` locale
 * (apps/web/src/i18n/locales/<lang>/channel-forms.ts), `writeOnly` marks a secret (a password input; never
 * shown again), `x-multiline` a long text.
 */
export function field(
  key: string,
  opts: { hint?: boolean; secret?: boolean; multiline?: boolean; default?: unknown } = {},
) {
  return {
    title: `channelForms.fields.${key}`,
    ...(opts.hint ? { description: `channelForms.hints.${key}` } : {}),
    ...(opts.secret ? { writeOnly: true } : {}),
    ...(opts.multiline ? { "x-multiline": true } : {}),
    ...(opts.default !== undefined ? { default: opts.default } : {}),
  };
}

/** A group of fields (a nested object, e.g. the IMAP server of an email connection). */
export const group = (key: string) => ({ title: `channelForms.groups.${key}` });

/**
 * The admin's credentials checked with the channel's schema; a mismatch is a 400 whose details name each
 * field, with `message` summarising the issues for the admin.
 */
export function parseCredentials<T>(
  schema: z.ZodType<T>,
  input: unknown,
  message: (issues: z.core.$ZodIssue[]) => string,
): T {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success)
    throw new AppError("validation_failed", message(parsed.error.issues), parsed.error.issues);
  return parsed.data;
}

/** "Invalid <Channel> credentials: <each issue's message>." */
export const listIssues = (channel: string) => (issues: { message: string }[]) =>
  `Invalid ${channel} credentials: ${issues.map((i) => i.message).join(" ")}`;
