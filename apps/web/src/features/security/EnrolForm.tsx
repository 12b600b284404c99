import { Alert, Button, Code, Group, Image, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Enrolment, proofError } from "./security-api";

/** Adding the secret to an authenticator app (QR code or typed secret), then confirming with its first code. */
export function EnrolForm({
  enrolment,
  onConfirm,
  pending,
  error,
}: {
  enrolment: Enrolment;
  onConfirm: (code: string) => void;
  pending: boolean;
  error: unknown;
}) {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onConfirm(code);
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <Text size="sm">{t("security.enrol.scan")}</Text>
        <Image src={enrolment.qrDataUrl} alt={t("security.enrol.qrAlt")} w={200} h={200} />
        <Text size="sm">{t("security.enrol.typed")}</Text>
        <Code fz="md" data-testid="totp-secret">
          {enrolment.secret}
        </Code>
        {error ? (
          <Alert color="red" variant="light" role="alert">
            {proofError(t, error)}
          </Alert>
        ) : null}
        <TextInput
          label={t("security.enrol.code")}
          description={t("security.enrol.codeHint")}
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          data-testid="totp-confirm-code"
        />
        <Group>
          <Button
            type="submit"
            loading={pending}
            disabled={code.trim().length < 6}
            data-testid="totp-confirm"
          >
            {t("security.enrol.confirm")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
