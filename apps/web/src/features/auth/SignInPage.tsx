import { Alert, Anchor, Button, Group, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { client, data, setCsrfToken } from "../../api/client";
import { keys, type Session } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { SecondStepForm } from "../security/SecondStepForm";
import type { SecondStep } from "../security/security-api";
import { AuthLayout } from "./AuthLayout";

export function SignInPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // With two-factor sign-in on (or required), the password is answered with a second step instead of a session.
  const [step, setStep] = useState<SecondStep | null>(null);
  const signedIn = (session: Session) => {
    setCsrfToken(session.csrfToken);
    qc.setQueryData(keys.session, session);
  };
  const signIn = useMutation({
    mutationFn: () => data(client.POST("/api/auth/sign-in", { body: { email, password } })),
    onSuccess: (answer) => ("challenge" in answer ? setStep(answer) : signedIn(answer)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
  };
  if (step) {
    return (
      <AuthLayout title={step.next === "enrol" ? t("security.enrol.title") : t("security.signIn.title")}>
        <SecondStepForm step={step} onSignedIn={signedIn} />
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title={t("auth.title")}>
      <form onSubmit={submit}>
        <Stack>
          {signIn.isError ? (
            <Alert color="red" variant="light" data-testid="sign-in-error">
              {errorText(t, signIn.error)}
            </Alert>
          ) : null}
          <TextInput
            name="email"
            type="email"
            label={t("auth.email")}
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <PasswordInput
            visibilityToggleButtonProps={{ "aria-label": t("common.togglePassword") }}
            name="password"
            label={t("auth.password")}
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Group justify="flex-end" mt={-8}>
            <Anchor component={Link} to="/forgot-password" size="sm" data-testid="forgot-password">
              {t("accountSecurity.forgot.link")}
            </Anchor>
          </Group>
          <Button type="submit" loading={signIn.isPending} fullWidth mt="xs">
            {t("auth.submit")}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
