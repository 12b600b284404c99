import { Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { del, post } from "../../api/client";
import { showError } from "../../lib/notify";
import { notifyKeys, type SettingsResponse } from "./api";

/**
 * The agent's number for SMS notifications: entered, verified with the six-digit code the server sends by
 * SMS, or removed. Without an SMS connection in the workspace it says so (the SMS column stays off).
 */
export function PhonePanel({ sms }: { sms: SettingsResponse["sms"] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await call();
      await qc.invalidateQueries({ queryKey: notifyKeys.settings });
      notifications.show({ color: "green", message: done });
    } catch (err) {
      showError(t, err);
    } finally {
      setBusy(false);
    }
  };
  if (!sms.available)
    return (
      <Text size="sm" c="dimmed" data-testid="sms-unavailable">
        {t("smsNotify.unavailable")}
      </Text>
    );
  return (
    <Stack gap="xs" data-testid="sms-phone-panel">
      <Text fw={500}>{t("smsNotify.title")}</Text>
      {sms.phone ? (
        <Group>
          <Text size="sm" data-testid="sms-verified">
            {t("smsNotify.verified", { phone: sms.phone })}
          </Text>
          <Button
            variant="subtle"
            size="xs"
            loading={busy}
            onClick={() => run(() => del("/api/notifications/phone"), t("smsNotify.removed"))}
          >
            {t("smsNotify.remove")}
          </Button>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {t("smsNotify.none")}
        </Text>
      )}
      <Group align="end">
        <TextInput
          label={sms.phone ? t("smsNotify.change") : t("smsNotify.phone")}
          description={t("smsNotify.phoneHint")}
          placeholder="+380501234567"
          data-testid="sms-phone"
          value={phone}
          onChange={(e) => setPhone(e.currentTarget.value)}
          w={260}
        />
        <Button
          variant="light"
          loading={busy}
          disabled={!phone.trim()}
          data-testid="sms-send-code"
          onClick={() =>
            run(
              () => post("/api/notifications/phone", { phone: phone.replace(/[\s().-]/g, "") }),
              t("smsNotify.codeSent"),
            )
          }
        >
          {t("smsNotify.sendCode")}
        </Button>
      </Group>
      {sms.pendingPhone ? (
        <Group align="end">
          <TextInput
            label={t("smsNotify.code", { phone: sms.pendingPhone })}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            data-testid="sms-code"
            value={code}
            onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ""))}
            w={260}
          />
          <Button
            loading={busy}
            disabled={code.length !== 6}
            data-testid="sms-verify"
            onClick={() =>
              run(async () => {
                await post("/api/notifications/phone/verify", { code });
                setCode("");
                setPhone("");
              }, t("smsNotify.done"))
            }
          >
            {t("smsNotify.verify")}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
