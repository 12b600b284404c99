import { Loader, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { useNotificationSettings } from "./api";
import { MutedPanel } from "./MutedPanel";
import { PushPanel } from "./PushPanel";
import { RulesPanel } from "./RulesPanel";
import { SettingsForm } from "./SettingsForm";

/** /settings/notifications: the agent's notification matrix, quiet times, browser push and read rules. */
export function NotificationSettingsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const settings = useNotificationSettings();
  return (
    <PageShell session={session}>
      <Stack gap="lg">
        <div>
          <Title order={2}>{t("notify.settings.title")}</Title>
          <Text c="dimmed">{t("notify.settings.intro")}</Text>
        </div>
        {settings.data ? <SettingsForm data={settings.data} /> : <Loader />}
        {settings.data ? <PushPanel count={settings.data.pushSubscriptions} /> : null}
        {settings.data?.mutedConversationIds.length ? (
          <MutedPanel ids={settings.data.mutedConversationIds} />
        ) : null}
        <RulesPanel admin={can(session, "policy.manage")} />
      </Stack>
    </PageShell>
  );
}
