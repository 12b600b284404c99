import { notifications } from "@mantine/notifications";
import type { TFunction } from "i18next";
import { errorText, errorWithReason } from "./errors";

/** A red notice with the error in the agent's language. */
export const showError = (t: TFunction, err: unknown) =>
  notifications.show({ color: "red", message: errorText(t, err) });

/** A red notice with the error in the agent's language and the server's reason where it helps. */
export const showErrorWithReason = (t: TFunction, err: unknown) =>
  notifications.show({ color: "red", message: errorWithReason(t, err) });
