import type { TFunction } from "i18next";
import { ApiError } from "../api/client";
import { en } from "../i18n/locales/en";

type ErrorKey = keyof typeof en.errors;

/** An error in the agent's language, from the API's stable error code. */
export function errorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError && err.code in en.errors) return t(`errors.${err.code as ErrorKey}`);
  return t("errors.generic");
}

/**
 * The translated error, followed by the server's own words where they say what to do (a window's reason,
 * "handled by …", a provider's refusal, a field that does not validate).
 */
export function errorWithReason(t: TFunction, err: unknown): string {
  const text = errorText(t, err);
  if (
    err instanceof ApiError &&
    err.message &&
    ["window_closed", "unprocessable", "conflict", "validation_failed", "contact_blocked"].includes(err.code)
  )
    return `${text} ${err.message}`;
  return text;
}
