import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import {
  Alert,
  Anchor,
  Center,
  Group,
  Loader,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../api/client";
import type { Session } from "../../api/queries";
import { type ReceiptReport, receiptKeys } from "../../api/receipts";
import { errorText } from "../../lib/errors";
import { isManagerRole, PageShell } from "../layout/AppHeader";

const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const PERIODS = ["7", "30", "90"] as const;
const GROUPS = ["channel", "agent", "day"] as const;

/** Seconds as "45 s", "12 min", "3.5 h"; a dash when nothing was measured. */
function duration(t: TFunction, s: number | null): string {
  if (s === null) return "—";
  if (s < 60) return t("receiptReports.seconds", { n: Math.round(s) });
  if (s < 3600) return t("receiptReports.minutes", { n: Math.round(s / 60) });
  return t("receiptReports.hours", { n: Math.round((s / 3600) * 10) / 10 });
}
const percent = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10}%`);

/**
 * Receipt reports (R309): read rate, time to deliver, time to read, replies after read — by channel, agent
 * or day over the last 7/30/90 days, as charts and a table, with the CSV. Loaded on demand (charts).
 */
export default function ReceiptReportsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [days, setDays] = useState<(typeof PERIODS)[number]>("30");
  const [groupBy, setGroupBy] = useState<(typeof GROUPS)[number]>("channel");
  const [anonymise, setAnonymise] = useState(false);
  const params = new URLSearchParams({
    from: `${new Date(Date.now() - Number(days) * 86_400_000).toISOString().slice(0, 13)}:00:00Z`,
    tz: TZ,
    groupBy,
    anonymise: String(anonymise),
  });
  const report = useQuery({
    queryKey: receiptKeys.report(params.toString()),
    queryFn: () => get<ReceiptReport>(`/api/receipts/report?${params}`),
    enabled: isManagerRole(session.user.role),
  });
  const r = report.data;
  return (
    <PageShell session={session}>
      <Stack gap="md" data-testid="receipt-reports">
        <Group justify="space-between">
          <Title order={3}>{t("receiptReports.title")}</Title>
          <Anchor
            href={`/api/receipts/report.csv?${params}`}
            download
            size="sm"
            data-testid="receipt-report-csv"
          >
            <Group gap={4}>
              <IconDownload size={16} />
              {t("receiptReports.csv")}
            </Group>
          </Anchor>
        </Group>
        <Group>
          <SegmentedControl
            value={days}
            onChange={(v) => setDays(v as typeof days)}
            data={PERIODS.map((p) => ({ value: p, label: t("receiptReports.lastDays", { n: Number(p) }) }))}
          />
          <SegmentedControl
            value={groupBy}
            onChange={(v) => setGroupBy(v as typeof groupBy)}
            data={GROUPS.map((g) => ({ value: g, label: t(`receiptReports.by.${g}`) }))}
            data-testid="receipt-report-group"
          />
          <Switch
            checked={anonymise || !!r?.anonymised}
            disabled={!!r?.anonymised && !anonymise}
            onChange={(e) => setAnonymise(e.currentTarget.checked)}
            label={t("receiptReports.anonymise")}
          />
        </Group>
        {!isManagerRole(session.user.role) ? (
          <Alert color="yellow">{t("receiptReports.managersOnly")}</Alert>
        ) : report.isError ? (
          <Alert color="red">{errorText(t, report.error)}</Alert>
        ) : !r ? (
          <Center py="xl">
            <Loader size="sm" />
          </Center>
        ) : (
          <>
            <SimpleGrid cols={{ base: 2, md: 4 }}>
              {(
                [
                  ["readRate", percent(r.total.readRate)],
                  ["timeToDeliver", duration(t, r.total.p50DeliverSeconds)],
                  ["timeToRead", duration(t, r.total.p50ReadSeconds)],
                  ["repliedAfterRead", `${r.total.repliedAfterRead} / ${r.total.read}`],
                ] as const
              ).map(([k, v]) => (
                <Paper key={k} withBorder p="md" radius="md">
                  <Text size="xs" c="dimmed">
                    {t(`receiptReports.kpi.${k}`)}
                  </Text>
                  <Text fw={700} size="xl" data-testid={`receipt-kpi-${k}`}>
                    {v}
                  </Text>
                </Paper>
              ))}
            </SimpleGrid>
            {r.rows.length === 0 ? (
              <Text c="dimmed">{t("receiptReports.empty")}</Text>
            ) : (
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Paper withBorder p="md" radius="md">
                  <Text fw={600} mb="sm">
                    {t("receiptReports.chartStates")}
                  </Text>
                  <BarChart
                    h={260}
                    data={r.rows.map((row) => ({
                      name: row.label,
                      delivered: row.delivered,
                      read: row.read,
                      failed: row.failed,
                    }))}
                    dataKey="name"
                    series={[
                      { name: "delivered", label: t("delivery.delivered"), color: "teal.6" },
                      { name: "read", label: t("delivery.read"), color: "blue.6" },
                      { name: "failed", label: t("receiptReports.failed"), color: "red.6" },
                    ]}
                  />
                </Paper>
                <Paper withBorder p="md" radius="md">
                  <Text fw={600} mb="sm">
                    {t("receiptReports.chartTimes")}
                  </Text>
                  <BarChart
                    h={260}
                    data={r.rows.map((row) => ({
                      name: row.label,
                      deliver: row.p50DeliverSeconds ?? 0,
                      read: row.p50ReadSeconds ?? 0,
                    }))}
                    dataKey="name"
                    unit=" s"
                    series={[
                      { name: "deliver", label: t("receiptReports.kpi.timeToDeliver"), color: "teal.6" },
                      { name: "read", label: t("receiptReports.kpi.timeToRead"), color: "blue.6" },
                    ]}
                  />
                </Paper>
              </SimpleGrid>
            )}
            <Table striped withTableBorder data-testid="receipt-report-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t(`receiptReports.by.${groupBy}`)}</Table.Th>
                  <Table.Th>{t("receiptReports.replies")}</Table.Th>
                  <Table.Th>{t("delivery.delivered")}</Table.Th>
                  <Table.Th>{t("delivery.read")}</Table.Th>
                  <Table.Th>{t("receiptReports.kpi.readRate")}</Table.Th>
                  <Table.Th>{t("receiptReports.kpi.timeToDeliver")}</Table.Th>
                  <Table.Th>{t("receiptReports.kpi.timeToRead")}</Table.Th>
                  <Table.Th>{t("receiptReports.kpi.repliedAfterRead")}</Table.Th>
                  <Table.Th>{t("receiptReports.unansweredAfterRead")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.rows.map((row) => (
                  <Table.Tr key={row.key}>
                    <Table.Td>{row.label}</Table.Td>
                    <Table.Td>{row.replies}</Table.Td>
                    <Table.Td>{row.delivered}</Table.Td>
                    <Table.Td>{row.read}</Table.Td>
                    <Table.Td>{percent(row.readRate)}</Table.Td>
                    <Table.Td>{duration(t, row.p50DeliverSeconds)}</Table.Td>
                    <Table.Td>{duration(t, row.p50ReadSeconds)}</Table.Td>
                    <Table.Td>{row.repliedAfterRead}</Table.Td>
                    <Table.Td>{row.unansweredAfterRead}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Text size="xs" c="dimmed">
              {t("receiptReports.definitions")}
            </Text>
          </>
        )}
      </Stack>
    </PageShell>
  );
}
