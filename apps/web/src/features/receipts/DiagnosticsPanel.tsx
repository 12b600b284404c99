import { Alert, Badge, Group, Paper, Select, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../api/client";
import { type Diagnostics, receiptKeys, useReceiptSettings } from "../../api/receipts";
import { CenteredLoader } from "../../components/CenteredLoader";
import { errorText } from "../../lib/errors";
import { fullDateTime } from "../../lib/format";
import { TestMessage } from "./TestMessage";

/** A connection's health: last webhook and status report, errors, the last day's states, failures (R308). */
export function DiagnosticsPanel() {
  const { t, i18n } = useTranslation();
  const view = useReceiptSettings();
  const [connectionId, setConnectionId] = useState<string | null>(null);
  const id = connectionId ?? view.data?.connections[0]?.id ?? null;
  const d = useQuery({
    queryKey: receiptKeys.diagnostics(id ?? ""),
    queryFn: () => get<Diagnostics>(`/api/connections/${id}/diagnostics`),
    enabled: !!id,
    refetchInterval: 30_000,
  });
  const when = (iso: string | null) =>
    iso ? fullDateTime(iso, i18n.language) : t("receiptDiagnostics.never");
  if (!view.data) return <CenteredLoader />;
  if (!view.data.connections.length) return <Text c="dimmed">{t("receiptDiagnostics.noConnections")}</Text>;
  return (
    <Stack gap="md" data-testid="diagnostics">
      <Select
        label={t("receiptDiagnostics.connection")}
        allowDeselect={false}
        value={id}
        onChange={setConnectionId}
        data={view.data.connections.map((c) => ({ value: c.id, label: `${c.name} (${c.type})` }))}
        maw={360}
      />
      {d.isError ? <Alert color="red">{errorText(t, d.error)}</Alert> : null}
      {d.data ? (
        <>
          <Paper withBorder p="md" radius="md">
            <Table>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.lastWebhook")}</Table.Td>
                  <Table.Td data-testid="diag-last-webhook">{when(d.data.lastWebhookAt)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.lastStatus")}</Table.Td>
                  <Table.Td data-testid="diag-last-status">
                    {d.data.connection.reportsDelivered || d.data.connection.reportsRead
                      ? when(d.data.lastStatusAt)
                      : t("receiptDiagnostics.noStatusReports")}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.errors")}</Table.Td>
                  <Table.Td data-testid="diag-errors">
                    {d.data.errorCount}
                    {d.data.lastError ? ` · ${d.data.lastError} (${when(d.data.lastErrorAt)})` : ""}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.last24h")}</Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      {(["queued", "sent", "delivered", "read", "failed"] as const).map((s) => (
                        <Badge key={s} variant="light" color={s === "failed" ? "red" : "gray"}>
                          {t(`receiptDiagnostics.state.${s}`)}: {d.data.last24h[s] ?? 0}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.pendingEarly")}</Table.Td>
                  <Table.Td>{d.data.pendingEarlyReceipts}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </Paper>
          {d.data.accountErrors.length > 0 ? (
            <Paper withBorder p="md" radius="md">
              <Text fw={600} mb={4}>
                {t("receiptDiagnostics.accountErrors")}
              </Text>
              <Text size="sm" c="dimmed" mb="sm">
                {t("receiptDiagnostics.accountErrorsHint")}
              </Text>
              <Table data-testid="diag-account-errors">
                <Table.Tbody>
                  {d.data.accountErrors.map((e) => (
                    <Table.Tr key={`${e.code}-${e.at}`}>
                      <Table.Td>{when(e.lastAt)}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color="red">
                          {e.code}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {e.title}
                        </Text>
                        {e.detail ? (
                          <Text size="xs" c="dimmed">
                            {e.detail}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>
                        {e.occurrences > 1
                          ? t("receiptDiagnostics.repeated", { count: e.occurrences, since: when(e.at) })
                          : null}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
          ) : null}
          <Paper withBorder p="md" radius="md">
            <Text fw={600} mb="sm">
              {t("receiptDiagnostics.recentFailures")}
            </Text>
            {d.data.recentFailures.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t("receiptDiagnostics.noFailures")}
              </Text>
            ) : (
              <Table data-testid="diag-failures">
                <Table.Tbody>
                  {d.data.recentFailures.map((f) => (
                    <Table.Tr key={f.messageId}>
                      <Table.Td>{when(f.failedAt)}</Table.Td>
                      <Table.Td>#{f.conversationNumber}</Table.Td>
                      <Table.Td>
                        {f.reason ? t(`failure.${f.reason as "provider_error"}`) : "—"}
                        {f.detail ? ` (${f.detail})` : ""}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Paper>
          <TestMessage d={d.data} />
        </>
      ) : null}
    </Stack>
  );
}
