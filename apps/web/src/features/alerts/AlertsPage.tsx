import { Alert, Stack, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { PageShell } from "../layout/AppHeader";
import { AlertsList } from "./AlertsList";
import { RulesPanel } from "./RulesPanel";

/**
 * `/settings/alerts` (R804): the alerts raised on suspicious activity, to acknowledge (audit.view), and the
 * rules with their switches and thresholds (edited with workspace.manage).
 */
export default function AlertsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const may = (p: string) => (session.permissions as readonly string[]).includes(p);
  if (!may("audit.view"))
    return (
      <PageShell session={session}>
        <Alert color="yellow">{t("alerts.notAllowed")}</Alert>
      </PageShell>
    );
  return (
    <PageShell session={session}>
      <Stack gap="lg">
        <Title order={3}>{t("alerts.title")}</Title>
        <AlertsList />
        <Title order={4}>{t("alerts.rulesTitle")}</Title>
        <RulesPanel canEdit={may("workspace.manage")} />
      </Stack>
    </PageShell>
  );
}
