import { Group, NumberInput, Paper, Stack, Switch } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useReceiptSettings } from "../../api/receipts";
import { CenteredLoader } from "../../components/CenteredLoader";
import { ContactDataPanel } from "./ContactDataPanel";
import { useSaveReceiptSettings } from "./useSaveReceiptSettings";

/** Consent mode, how long receipts are kept, anonymous reports (R306), and a contact's data (R307). */
export function PrivacyPanel() {
  const { t } = useTranslation();
  const view = useReceiptSettings();
  const save = useSaveReceiptSettings();
  if (!view.data) return <CenteredLoader />;
  const s = view.data.settings;
  return (
    <Stack gap="md">
      <Paper withBorder p="md" radius="md">
        <Stack gap="md">
          <Switch
            checked={s.consentMode}
            onChange={(e) => save.mutate({ consentMode: e.currentTarget.checked })}
            label={t("receiptSettings.consentMode")}
            description={t("receiptSettings.consentModeHint")}
          />
          <Group align="flex-end">
            <Switch
              checked={s.retentionDays !== null}
              onChange={(e) => save.mutate({ retentionDays: e.currentTarget.checked ? 90 : null })}
              label={t("receiptSettings.retention")}
              description={t("receiptSettings.retentionHint")}
            />
            {s.retentionDays !== null ? (
              <NumberInput
                w={140}
                min={1}
                max={3650}
                suffix={` ${t("receiptSettings.days")}`}
                defaultValue={s.retentionDays}
                aria-label={t("receiptSettings.retention")}
                onBlur={(e) => {
                  const n = Number.parseInt(e.currentTarget.value, 10);
                  if (n >= 1 && n <= 3650 && n !== s.retentionDays) save.mutate({ retentionDays: n });
                }}
              />
            ) : null}
          </Group>
          <Switch
            checked={s.anonymiseReports}
            onChange={(e) => save.mutate({ anonymiseReports: e.currentTarget.checked })}
            label={t("receiptSettings.anonymise")}
            description={t("receiptSettings.anonymiseHint")}
          />
        </Stack>
      </Paper>
      <ContactDataPanel />
    </Stack>
  );
}
