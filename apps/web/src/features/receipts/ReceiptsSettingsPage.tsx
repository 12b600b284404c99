import { Alert, Stack, Tabs, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import type { Session } from "../../api/queries";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { DiagnosticsPanel } from "./DiagnosticsPanel";
import { PolicyPanel } from "./PolicyPanel";
import { PrivacyPanel } from "./PrivacyPanel";

/**
 * `/settings/receipts` (admins): the read-receipt policy and privacy settings (R305–R307), each
 * connection's override, a contact's data export and erasure, and per-connection diagnostics with a test
 * message and its live receipt trail (R308).
 */
export default function ReceiptsSettingsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  // A "channel problem" notification opens the diagnostics: /settings/receipts?tab=diagnostics
  const [params] = useSearchParams();
  const tab = params.get("tab");
  if (!can(session, "policy.manage"))
    return (
      <PageShell session={session}>
        <Alert color="yellow">{t("receiptSettings.adminsOnly")}</Alert>
      </PageShell>
    );
  return (
    <PageShell session={session}>
      <Stack gap="md">
        <Title order={3}>{t("receiptSettings.title")}</Title>
        <Tabs defaultValue={tab === "diagnostics" ? "diagnostics" : "policy"} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="policy">{t("receiptSettings.tabs.policy")}</Tabs.Tab>
            <Tabs.Tab value="privacy">{t("receiptSettings.tabs.privacy")}</Tabs.Tab>
            <Tabs.Tab value="diagnostics" data-testid="tab-diagnostics">
              {t("receiptSettings.tabs.diagnostics")}
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="policy" pt="md">
            <PolicyPanel />
          </Tabs.Panel>
          <Tabs.Panel value="privacy" pt="md">
            <PrivacyPanel />
          </Tabs.Panel>
          <Tabs.Panel value="diagnostics" pt="md">
            <DiagnosticsPanel />
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </PageShell>
  );
}
