import { Alert, Button, Paper, Stack, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "../../lib/errors";
import { notifyKeys } from "./api";
import { currentSubscription, disablePush, enablePush, pushSupported } from "./push";

/** Browser push for this device: on or off, and how many devices receive it. */
export function PushPanel({ count }: { count: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [here, setHere] = useState<boolean | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void currentSubscription().then((s) => setHere(Boolean(s)));
  }, []);
  const run = async (fn: () => Promise<unknown>) => {
    setProblem(null);
    try {
      const r = await fn();
      if (r === "denied") setProblem(t("notify.settings.pushDenied"));
      setHere(Boolean(await currentSubscription()));
      await qc.invalidateQueries({ queryKey: notifyKeys.settings });
    } catch (err) {
      setProblem(errorText(t, err));
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Text fw={600}>{t("notify.settings.push")}</Text>
        <Text size="sm" c="dimmed">
          {count > 0 ? t("notify.settings.pushOn", { count }) : t("notify.settings.pushOff")}
        </Text>
        {!pushSupported() ? (
          <Text size="sm">{t("notify.settings.pushUnsupported")}</Text>
        ) : here ? (
          <Button variant="default" w="fit-content" onClick={() => run(disablePush)}>
            {t("notify.settings.pushDisable")}
          </Button>
        ) : (
          <Button variant="default" w="fit-content" onClick={() => run(enablePush)}>
            {t("notify.settings.pushEnable")}
          </Button>
        )}
        {problem ? (
          <Alert color="orange" variant="light">
            {problem}
          </Alert>
        ) : null}
      </Stack>
    </Paper>
  );
}
