import "@mantine/charts/styles.css";
import {
  Alert,
  Anchor,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Title,
} from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { get } from "../../api/client";
import type { Session } from "../../api/queries";
import { type ReceiptReport, receiptKeys } from "../../api/receipts";
import { CenteredLoader } from "../../components/CenteredLoader";
import { errorText } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { ReportCharts } from "./ReportCharts";
import { ReportTable } from "./ReportTable";
import { duration, percent } from "./report-format";

const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const PERIODS = ["7", "30", "90"] as const;
const GROUPS = ["channel", "agent", "day"] as const;

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
    enabled: can(session, "reports.view"),
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
        {!can(session, "reports.view") ? (
          <Alert color="yellow">{t("receiptReports.managersOnly")}</Alert>
        ) : report.isError ? (
          <Alert color="red">{errorText(t, report.error)}</Alert>
        ) : !r ? (
          <CenteredLoader />
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
              <ReportCharts rows={r.rows} />
            )}
            <ReportTable rows={r.rows} groupBy={groupBy} />
            <Text size="xs" c="dimmed">
              {t("receiptReports.definitions")}
            </Text>
          </>
        )}
      </Stack>
    </PageShell>
  );
}
