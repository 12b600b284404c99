import { Alert, Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data, setCsrfToken } from "../../api/client";
import { keys } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { AuthLayout } from "./AuthLayout";

/** First run (no user yet): creates the workspace and its owner, who is then signed in. */
export function SetupPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState({ workspaceName: "", name: "", email: "", password: "" });
  const [touched, setTouched] = useState(false);
  const field = (k: keyof typeof form) => ({
    value: form[k],
    onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value }),
  });
  const shortPassword = form.password.length > 0 && form.password.length < 10;
  const create = useMutation({
    mutationFn: () => data(client.POST("/api/setup", { body: form })),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      qc.setQueryData(keys.session, session);
      qc.setQueryData(keys.setup, { needsSetup: false });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (form.password.length < 10) return;
    create.mutate();
  };
  return (
    <AuthLayout title={t("setup.title")} subtitle={t("setup.subtitle")}>
      <form onSubmit={submit}>
        <Stack>
          {create.isError ? (
            <Alert color="red" variant="light">
              {errorText(t, create.error)}
            </Alert>
          ) : null}
          <TextInput
            name="workspaceName"
            label={t("setup.workspaceName")}
            placeholder={t("setup.workspacePlaceholder")}
            required
            {...field("workspaceName")}
          />
          <TextInput name="name" label={t("setup.name")} autoComplete="name" required {...field("name")} />
          <TextInput
            name="email"
            type="email"
            label={t("setup.email")}
            autoComplete="username"
            required
            {...field("email")}
          />
          <PasswordInput
            visibilityToggleButtonProps={{ "aria-label": t("common.togglePassword") }}
            name="password"
            label={t("setup.password")}
            description={t("setup.passwordHint")}
            autoComplete="new-password"
            required
            error={touched && shortPassword ? t("setup.passwordTooShort") : undefined}
            {...field("password")}
          />
          <Button type="submit" loading={create.isPending} fullWidth mt="xs">
            {t("setup.submit")}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
