import { queryOptions } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { ApiError, client, data, get } from "../../api/client";
import type { paths } from "../../api/schema";
import type { Answer } from "../../api/types";
import { errorText } from "../../lib/errors";

export const securityKeys = {
  twoFactor: ["two-factor"] as const,
  workspace: ["workspace"] as const,
};

/** One's own two-factor sign-in: on or off, recovery codes left, required by the workspace. */
export const twoFactorQuery = queryOptions({
  queryKey: securityKeys.twoFactor,
  queryFn: () => data(client.GET("/api/auth/two-factor")),
});

export type Enrolment = Answer<"/api/auth/two-factor/enrol", "post">;
type Responses = paths["/api/auth/sign-in"]["post"]["responses"];
/** The password was right and a code (or setting up two-factor sign-in) comes next. */
export type SecondStep = Responses[202]["content"]["application/json"];

/** A proof of identity as the dialogs collect it: the password, or a code from the app. */
export type Proof = { password: string } | { code: string };

/** Whether this session proved who its person is within the last ten minutes. */
export const recentlyConfirmed = () =>
  get<Answer<"/api/auth/step-up">>("/api/auth/step-up").then((r) => r.recentUntil !== null);

/** The recovery codes as a text file to keep. */
export function downloadRecoveryCodes(codes: readonly string[], heading: string) {
  const blob = new Blob([`${heading}\n\n${codes.join("\n")}\n`], { type: "text/plain" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = "parley-recovery-codes.txt";
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(a.href);
}

/** A refused code or password in words that fit it (the generic text speaks of the email). */
export const proofError = (t: TFunction, err: unknown) =>
  err instanceof ApiError && err.code === "invalid_credentials"
    ? t("security.wrongProof")
    : errorText(t, err);
