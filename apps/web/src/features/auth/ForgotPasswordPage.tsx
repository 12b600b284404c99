import { Alert, Anchor, Button, Stack, TextInput } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { client, data } from "../../api/client";
import { errorText } from "../../lib/errors";
import { AuthLayout } from "./AuthLayout";

/** /forgot-password: asks for a reset link by email, or says to ask an admin when Parley cannot email. */
export default function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const mail = useQuery({
    queryKey: ["password-reset"],
    queryFn: () => data(client.GET("/api/auth/password-reset")),
  });
  const request = useMutation({
    mutationFn: () => data(client.POST("/api/auth/password-reset", { body: { email } })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    request.mutate();
  };
  const back = (
    <Anchor component={Link} to="/sign-in" size="sm">
      {t("accountSecurity.forgot.back")}
    </Anchor>
  );
  if (mail.data && !mail.data.byEmail) {
    return (
      <AuthLayout title={t("accountSecurity.forgot.title")}>
        <Stack>
          <Alert color="yellow" variant="light" data-testid="forgot-no-email">
            {t("accountSecurity.forgot.noEmail")}
          </Alert>
          {back}
        </Stack>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title={t("accountSecurity.forgot.title")} subtitle={t("accountSecurity.forgot.subtitle")}>
      {request.isSuccess ? (
        <Stack>
          <Alert color="green" variant="light" data-testid="forgot-sent">
            {t("accountSecurity.forgot.sent", { email })}
          </Alert>
          {back}
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            {request.isError ? (
              <Alert color="red" variant="light" role="alert">
                {errorText(t, request.error)}
              </Alert>
            ) : null}
            <TextInput
              name="email"
              type="email"
              label={t("accountSecurity.forgot.email")}
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <Button type="submit" loading={request.isPending} fullWidth>
              {t("accountSecurity.forgot.submit")}
            </Button>
            {back}
          </Stack>
        </form>
      )}
    </AuthLayout>
  );
}
