import { Button, Card, Group, NumberInput, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useAuditRetention, useSaveAuditRetention } from "../../api/audit";
import { showError } from "../../lib/notify";

const MIN_DAYS = 30;

/** How many days the audit log is kept (workspace.manage); older entries go with the hourly housekeeping. */
export function RetentionSetting() {
  const { t } = useTranslation();
  const current = useAuditRetention();
  const save = useSaveAuditRetention();
  const [days, setDays] = useState<number | string>("");
  useEffect(() => {
    if (current.data !== undefined) setDays(current.data);
  }, [current.data]);
  const valid = typeof days === "number" && Number.isInteger(days) && days >= MIN_DAYS;
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={5}>{t("audit.retention.title")}</Title>
        <Text size="sm" c="dimmed">
          {t("audit.retention.hint", { min: MIN_DAYS })}
        </Text>
        <Group align="flex-end">
          <NumberInput
            label={t("audit.retention.days")}
            value={days}
            onChange={setDays}
            min={MIN_DAYS}
            max={36500}
            w={160}
            error={days !== "" && !valid ? t("audit.retention.tooShort", { min: MIN_DAYS }) : null}
            data-testid="audit-retention"
          />
          <Button
            disabled={!valid || days === current.data}
            loading={save.isPending}
            onClick={() =>
              save.mutate(days as number, {
                onSuccess: () => notifications.show({ message: t("audit.retention.saved") }),
                onError: (err) => showError(t, err),
              })
            }
            data-testid="audit-retention-save"
          >
            {t("audit.retention.save")}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
