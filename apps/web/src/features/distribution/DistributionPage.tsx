import { Alert, Badge, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { PageShell } from "../layout/AppHeader";
import { AgentsTable } from "./AgentsTable";
import { useDistributionPanel } from "./distribution-api";
import { SettingsTable } from "./SettingsTable";

const waited = (seconds: number) =>
  seconds >= 3600
    ? `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`
    : `${Math.floor(seconds / 60)}m ${seconds % 60}s`;

/**
 * `/settings/distribution` (R701): the supervisors' panel (who distribution may pick now, each agent's load
 * against capacity, the queue with waiting times) and, with automation.manage, the settings per connection
 * and team and each agent's capacity and vacation.
 */
export default function DistributionPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const may = (p: string) => (session.permissions as readonly string[]).includes(p);
  const panel = useDistributionPanel();
  if (!may("conversations.view_all") && !may("automation.manage"))
    return (
      <PageShell session={session}>
        <Alert color="yellow">{t("distribution.notAllowed")}</Alert>
      </PageShell>
    );
  const p = panel.data;
  return (
    <PageShell session={session}>
      <Stack gap="lg">
        <Title order={3}>{t("distribution.title")}</Title>
        <Title order={4}>{t("distribution.agentsTitle")}</Title>
        {p ? <AgentsTable agents={p.agents} canEdit={may("automation.manage")} /> : null}
        <Title order={4}>{t("distribution.queueTitle", { count: p?.queue.length ?? 0 })}</Title>
        {p && !p.queue.length ? <Text c="dimmed">{t("distribution.queueEmpty")}</Text> : null}
        {p?.queue.length ? (
          <Table data-testid="distribution-queue">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>{t("distribution.contact")}</Table.Th>
                <Table.Th>{t("distribution.connection")}</Table.Th>
                <Table.Th>{t("distribution.waiting")}</Table.Th>
                <Table.Th>{t("distribution.reason")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {p.queue.map((q) => (
                <Table.Tr key={q.conversationId} data-testid={`queue-${q.number}`}>
                  <Table.Td>{q.number}</Table.Td>
                  <Table.Td>{q.contactName ?? "—"}</Table.Td>
                  <Table.Td>{q.connectionName}</Table.Td>
                  <Table.Td>
                    <Badge variant="light">{waited(q.waitingSeconds)}</Badge>
                  </Table.Td>
                  <Table.Td data-testid="reason">
                    {t(`distribution.reasons.${q.waitReason ?? "none"}`)}
                    {q.language ? ` (${q.language})` : ""}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
        {may("automation.manage") && p ? (
          <>
            <Title order={4}>{t("distribution.settingsTitle")}</Title>
            <SettingsTable settings={p.settings} />
          </>
        ) : null}
      </Stack>
    </PageShell>
  );
}
