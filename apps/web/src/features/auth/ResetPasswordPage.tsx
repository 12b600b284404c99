import { Alert, Anchor, Button, Stack } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { client, data, setCsrfToken } from "../../api/client";
import { keys } from "../../api/queries";
import { AuthLayout } from "./AuthLayout";
import { linkErrorText } from "./link-error";
import { NewPasswordInput } from "./NewPasswordInput";

/** /reset-password/:token — the link from the email (or from an admin): a new password, then sign in. */
export default function ResetPasswordPage() {
  const { t } = useTranslation();
  const { token = "" } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [password, setPassword] = useState("");
  const reset = useMutation({
    mutationFn: () => data(client.POST("/api/auth/password-reset/confirm", { body: { token, password } })),
  });
  // Every session ended, this browser's too: forget it on the way to sign in.
  const toSignIn = () => {
    setCsrfToken(null);
    qc.setQueryData(keys.session, null);
    void navigate("/sign-in", { replace: true });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    reset.mutate();
  };
  if (reset.isSuccess) {
    return (
      <AuthLayout title={t("accountSecurity.reset.title")}>
        <Stack>
          <Alert color="green" variant="light" data-testid="reset-done">
            {t("accountSecurity.reset.done")}
          </Alert>
          <Button onClick={toSignIn} fullWidth data-testid="reset-sign-in">
            {t("accountSecurity.reset.toSignIn")}
          </Button>
        </Stack>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title={t("accountSecurity.reset.title")}>
      <form onSubmit={submit}>
        <Stack>
          {reset.isError ? (
            <Alert color="red" variant="light" role="alert" data-testid="reset-error">
              {linkErrorText(t, reset.error)}{" "}
              <Anchor component={Link} to="/forgot-password" size="sm">
                {t("accountSecurity.reset.again")}
              </Anchor>
            </Alert>
          ) : null}
          <NewPasswordInput
            label={t("accountSecurity.reset.password")}
            description={t("accountSecurity.reset.hint")}
            value={password}
            onChange={setPassword}
          />
          <Button type="submit" loading={reset.isPending} disabled={password.length < 10} fullWidth>
            {t("accountSecurity.reset.submit")}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
