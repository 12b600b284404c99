import type { TFunction } from "i18next";
import { ApiError } from "../../api/client";
import { errorText } from "../../lib/errors";

/** Why a reset or confirmation link was refused (invalid, used, expired), in the person's language. */
export function linkErrorText(t: TFunction, err: unknown): string {
  const reason =
    err instanceof ApiError ? (err.details as { reason?: string } | undefined)?.reason : undefined;
  if (reason === "invalid" || reason === "used" || reason === "expired")
    return t(`accountSecurity.link.${reason}`);
  return errorText(t, err);
}
