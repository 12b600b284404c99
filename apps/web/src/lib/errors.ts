import type { TFunction } from "i18next";
import { ApiError } from "../api/client";
import { en } from "../i18n/locales/en";

type ErrorKey = keyof typeof en.errors;

/** An error in the agent's language, from the API's stable error code. */
export function errorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError && err.code in en.errors) return t(`errors.${err.code as ErrorKey}`);
  return t("errors.generic");
}
