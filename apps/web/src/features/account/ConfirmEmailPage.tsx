import { Alert, Button, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { client, data } from "../../api/client";
import { keys } from "../../api/queries";
import { AuthLayout } from "../auth/AuthLayout";
import { linkErrorText } from "../auth/link-error";

/** /confirm-email/:token — the link sent to a new address; a click (never the page load) confirms it. */
export default function ConfirmEmailPage() {
  const { t } = useTranslation();
  const { token = "" } = useParams();
  const qc = useQueryClient();
  const confirm = useMutation({
    mutationFn: () => data(client.POST("/api/auth/email-change/confirm", { body: { token } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.session }),
  });
  return (
    <AuthLayout title={t("accountSecurity.confirm.title")}>
      <Stack>
        {confirm.isSuccess ? (
          <>
            <Alert color="green" variant="light" data-testid="email-confirmed">
              {t("accountSecurity.confirm.done", { email: confirm.data.email })}
            </Alert>
            <Button component={Link} to="/" fullWidth>
              {t("accountSecurity.confirm.toApp")}
            </Button>
          </>
        ) : (
          <>
            <Text size="sm">{t("accountSecurity.confirm.body")}</Text>
            {confirm.isError ? (
              <Alert color="red" variant="light" role="alert">
                {linkErrorText(t, confirm.error)}
              </Alert>
            ) : null}
            <Button onClick={() => confirm.mutate()} loading={confirm.isPending} fullWidth>
              {t("accountSecurity.confirm.submit")}
            </Button>
          </>
        )}
      </Stack>
    </AuthLayout>
  );
}
