import { Alert, Anchor, Button, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { client, data, setCsrfToken } from "../../api/client";
import { keys } from "../../api/queries";
import { errorWithReason } from "../../lib/errors";
import { AuthLayout } from "../auth/AuthLayout";
import { NewPasswordInput } from "../auth/NewPasswordInput";

/** /invite/:token — the invitee chooses a name and password, and is signed in. */
export default function AcceptInvitePage() {
  const { t } = useTranslation();
  const { token = "" } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const info = useQuery({
    queryKey: ["invitation", token],
    queryFn: () => data(client.GET("/api/invitations/accept/{token}", { params: { path: { token } } })),
    retry: false,
  });
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const accept = useMutation({
    mutationFn: () => data(client.POST("/api/invitations/accept", { body: { token, name, password } })),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      qc.setQueryData(keys.session, session);
      void navigate("/inbox?view=mine", { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    accept.mutate();
  };

  if (info.isError) {
    return (
      <AuthLayout title={t("account.invite.title", { workspace: t("app.name") })}>
        <Stack>
          <Alert color="red" variant="light" data-testid="invite-invalid">
            {t("account.invite.invalid")}
          </Alert>
          <Anchor component={Link} to="/sign-in">
            {t("account.invite.toSignIn")}
          </Anchor>
        </Stack>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      title={t("account.invite.title", { workspace: info.data?.workspaceName ?? "…" })}
      subtitle={
        info.data
          ? t("account.invite.subtitle", {
              role: t(`account.roles.${info.data.role}`),
              email: info.data.email,
            })
          : undefined
      }
    >
      <form onSubmit={submit}>
        <Stack>
          {accept.isError ? (
            <Alert color="red" variant="light" role="alert">
              {errorWithReason(t, accept.error)}
            </Alert>
          ) : null}
          {info.data ? <Text size="sm">{info.data.email}</Text> : null}
          <TextInput
            name="name"
            label={t("account.invite.name")}
            autoComplete="name"
            required
            maxLength={120}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <NewPasswordInput
            label={t("account.invite.password")}
            description={t("account.invite.passwordHint")}
            value={password}
            onChange={setPassword}
          />
          <Button type="submit" loading={accept.isPending} disabled={!info.data} fullWidth mt="xs">
            {t("account.invite.submit")}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
