import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { EnrolForm } from "./EnrolForm";
import { RecoveryCodesPanel } from "./RecoveryCodesPanel";
import { type Enrolment, proofError, securityKeys, twoFactorQuery } from "./security-api";

/** The profile's security section: turn two-factor sign-in on (QR code or typed secret), off, new recovery codes. */
export function TwoFactorSection() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const status = useQuery(twoFactorQuery);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [disabling, setDisabling] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: securityKeys.twoFactor });

  const start = useMutation({
    mutationFn: () => data(client.POST("/api/auth/two-factor/enrol")),
    onSuccess: setEnrolment,
  });
  const confirm = useMutation({
    mutationFn: (code: string) => data(client.POST("/api/auth/two-factor/confirm", { body: { code } })),
    onSuccess: (r) => {
      setEnrolment(null);
      setCodes(r.recoveryCodes);
      void refresh();
    },
  });
  const regenerate = useMutation({
    mutationFn: () => data(client.POST("/api/auth/two-factor/recovery-codes")),
    onSuccess: (r) => {
      setCodes(r.recoveryCodes);
      void refresh();
    },
  });

  const s = status.data;
  return (
    <Paper withBorder p="lg" radius="md" data-testid="two-factor-section">
      <Group justify="space-between" mb="md">
        <Title order={3} size="h4">
          {t("security.twoFactor.title")}
        </Title>
        {s ? (
          <Badge color={s.enabled ? "green" : "gray"} data-testid="two-factor-state">
            {s.enabled ? t("security.twoFactor.on") : t("security.twoFactor.off")}
          </Badge>
        ) : null}
      </Group>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t("security.twoFactor.intro")}
        </Text>
        {s?.required ? (
          <Alert color="blue" variant="light">
            {t("security.twoFactor.required")}
          </Alert>
        ) : null}
        {codes ? <RecoveryCodesPanel codes={codes} onDone={() => setCodes(null)} /> : null}
        {enrolment ? (
          <EnrolForm
            enrolment={enrolment}
            onConfirm={(code) => confirm.mutate(code)}
            pending={confirm.isPending}
            error={confirm.error}
          />
        ) : null}
        {s && !s.enabled && !enrolment ? (
          <Group>
            <Button onClick={() => start.mutate()} loading={start.isPending} data-testid="two-factor-enable">
              {t("security.twoFactor.enable")}
            </Button>
          </Group>
        ) : null}
        {s?.enabled && !codes ? (
          <>
            <Text size="sm" data-testid="recovery-left" c={s.recoveryCodesLeft <= 2 ? "red" : undefined}>
              {t("security.recovery.left", { count: s.recoveryCodesLeft })}
            </Text>
            <Group>
              <Button variant="default" onClick={() => regenerate.mutate()} loading={regenerate.isPending}>
                {t("security.recovery.regenerate")}
              </Button>
              {!s.required ? (
                <Button
                  color="red"
                  variant="light"
                  onClick={() => setDisabling(true)}
                  data-testid="two-factor-disable"
                >
                  {t("security.twoFactor.disable")}
                </Button>
              ) : null}
            </Group>
          </>
        ) : null}
        {start.isError || regenerate.isError ? (
          <Alert color="red" variant="light" role="alert">
            {proofError(t, start.error ?? regenerate.error)}
          </Alert>
        ) : null}
      </Stack>
      <DisableDialog
        opened={disabling}
        onClose={() => setDisabling(false)}
        onDone={() => {
          setDisabling(false);
          void refresh();
        }}
      />
    </Paper>
  );
}

/** Turning two-factor sign-in off: the password, or a code (from the app or a recovery code). */
function DisableDialog({
  opened,
  onClose,
  onDone,
}: {
  opened: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const disable = useMutation({
    mutationFn: () => {
      const c = code.trim();
      const body = password ? { password } : /^\d[\d\s]*$/.test(c) ? { code: c } : { recoveryCode: c };
      return data(client.POST("/api/auth/two-factor/disable", { body }));
    },
    onSuccess: () => {
      setPassword("");
      setCode("");
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    disable.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t("security.twoFactor.disableTitle")}>
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">{t("security.twoFactor.disableHint")}</Text>
          <PasswordInput
            label={t("auth.password")}
            autoComplete="current-password"
            value={password}
            disabled={code.length > 0}
            onChange={(e) => setPassword(e.currentTarget.value)}
            visibilityToggleButtonProps={{ "aria-label": t("common.togglePassword") }}
          />
          <TextInput
            label={t("security.twoFactor.codeOrRecovery")}
            value={code}
            disabled={password.length > 0}
            onChange={(e) => setCode(e.currentTarget.value)}
          />
          {disable.isError ? (
            <Alert color="red" variant="light" role="alert">
              {proofError(t, disable.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("security.cancel")}
            </Button>
            <Button
              color="red"
              type="submit"
              loading={disable.isPending}
              disabled={!password && !code.trim()}
            >
              {t("security.twoFactor.disable")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
