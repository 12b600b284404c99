import { Alert, Anchor, Button, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Session } from "../../api/queries";
import { EnrolForm } from "./EnrolForm";
import { RecoveryCodesPanel } from "./RecoveryCodesPanel";
import { proofError, type SecondStep } from "./security-api";

/**
 * The sign-in step after the password: a code from the app (or a recovery code); or, when the workspace requires
 * two-factor sign-in for the person's role and they have none yet, setting it up (then the recovery codes).
 */
export function SecondStepForm({ step, onSignedIn }: { step: SecondStep; onSignedIn: (s: Session) => void }) {
  const { t } = useTranslation();
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState("");
  const [codes, setCodes] = useState<{ session: Session; codes: string[] } | null>(null);
  const send = useMutation({
    mutationFn: (value: string) =>
      data(
        client.POST("/api/auth/sign-in/two-factor", {
          body: recovery
            ? { challenge: step.challenge, recoveryCode: value.trim() }
            : { challenge: step.challenge, code: value.trim() },
        }),
      ),
    onSuccess: (answer) => {
      const { twoFactor, ...session } = answer;
      if (twoFactor.recoveryCodes) return setCodes({ session, codes: twoFactor.recoveryCodes });
      if (twoFactor.usedRecoveryCode)
        notifications.show({
          color: twoFactor.recoveryCodesLeft === 0 ? "red" : "yellow",
          autoClose: false,
          message:
            twoFactor.recoveryCodesLeft === 0
              ? t("security.recovery.lastUsed")
              : t("security.recovery.usedLeft", { count: twoFactor.recoveryCodesLeft ?? 0 }),
        });
      onSignedIn(session);
    },
  });

  if (codes) {
    return (
      <Stack>
        <Text fw={500}>{t("security.enrol.doneTitle")}</Text>
        <RecoveryCodesPanel codes={codes.codes} onDone={() => onSignedIn(codes.session)} />
      </Stack>
    );
  }
  if (step.next === "enrol" && step.enrolment) {
    return (
      <Stack>
        <Alert color="blue" variant="light">
          {t("security.enrol.forced")}
        </Alert>
        <EnrolForm
          enrolment={step.enrolment}
          onConfirm={(c) => send.mutate(c)}
          pending={send.isPending}
          error={send.error}
        />
      </Stack>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate(code);
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <Text size="sm">{recovery ? t("security.signIn.recoveryHint") : t("security.signIn.codeHint")}</Text>
        {send.isError ? (
          <Alert color="red" variant="light" data-testid="sign-in-error">
            {proofError(t, send.error)}
          </Alert>
        ) : null}
        <TextInput
          label={recovery ? t("security.signIn.recoveryCode") : t("security.signIn.code")}
          inputMode={recovery ? "text" : "numeric"}
          autoComplete="one-time-code"
          required
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          data-autofocus
          data-testid="sign-in-code"
        />
        <Button type="submit" loading={send.isPending} fullWidth data-testid="sign-in-code-submit">
          {t("security.signIn.submit")}
        </Button>
        <Anchor
          component="button"
          type="button"
          size="sm"
          onClick={() => {
            setRecovery(!recovery);
            setCode("");
            send.reset();
          }}
          data-testid="sign-in-use-recovery"
        >
          {recovery ? t("security.signIn.useApp") : t("security.signIn.useRecovery")}
        </Anchor>
      </Stack>
    </form>
  );
}
