import { Alert, Button, Group, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, client, data } from "../../api/client";
import { errorText } from "../../lib/errors";

/** The profile's email: a new address is confirmed by a link sent to it (needs the password and SMTP). */
export function EmailChangePanel({ email }: { email: string }) {
  const { t } = useTranslation();
  const [next, setNext] = useState("");
  const [password, setPassword] = useState("");
  const mail = useQuery({
    queryKey: ["password-reset"],
    queryFn: () => data(client.GET("/api/auth/password-reset")),
  });
  const change = useMutation({
    mutationFn: () => data(client.POST("/api/me/email", { body: { email: next, password } })),
    onSuccess: () => setPassword(""),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate();
  };
  const failure = change.error instanceof ApiError ? change.error : null;
  const error =
    failure?.code === "invalid_credentials"
      ? t("accountSecurity.email.wrongPassword")
      : failure?.code === "conflict"
        ? t("accountSecurity.email.taken")
        : change.error
          ? errorText(t, change.error)
          : null;
  const noEmail = mail.data?.byEmail === false;
  return (
    <Paper withBorder p="lg" radius="md" component="form" onSubmit={submit}>
      <Title order={3} size="h4" mb="md">
        {t("accountSecurity.email.title")}
      </Title>
      <Stack>
        <TextInput label={t("accountSecurity.email.current")} value={email} readOnly />
        {noEmail ? (
          <Alert color="yellow" variant="light" data-testid="email-no-smtp">
            {t("accountSecurity.email.noEmail")}
          </Alert>
        ) : (
          <>
            <TextInput
              type="email"
              label={t("accountSecurity.email.new")}
              required
              value={next}
              onChange={(e) => setNext(e.currentTarget.value)}
              data-testid="email-new"
            />
            <PasswordInput
              label={t("accountSecurity.email.password")}
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              visibilityToggleButtonProps={{ "aria-label": t("common.togglePassword") }}
            />
            {error ? (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            ) : null}
            {change.isSuccess ? (
              <Alert color="green" variant="light" data-testid="email-sent">
                {t("accountSecurity.email.sent", { email: change.data.email })}
              </Alert>
            ) : null}
            <Group>
              <Button type="submit" loading={change.isPending} disabled={!next || !password}>
                {t("accountSecurity.email.submit")}
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Paper>
  );
}
