import "@mantine/charts/styles.css";
import "@mantine/dates/styles.css";
import { BarChart } from "@mantine/charts";
import {
  ActionIcon,
  Alert,
  Center,
  Group,
  Loader,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { DatePickerInput, type DatesRangeValue } from "@mantine/dates";
import { IconDownload } from "@tabler/icons-react";
import "dayjs/locale/ru";
import "dayjs/locale/uk";
import type { TFunction } from "i18next";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { downloadCsv, useAnalytics } from "../../api/log";
import type { Session } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { BotReport } from "./BotReport";

const PRESETS = ["7", "30", "90"] as const;
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

const ymd = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
function lastDays(n: number): [string, string] {
  const end = new Date();
  const start = new Date(end);
  start.setDate(start.getDate() - (n - 1));
  return [ymd(start), ymd(end)];
}
/** Whole days in the agent's time zone as the API's [from, to). */
function periodParams(from: string, to: string): Record<string, string> {
  const end = new Date(`${to}T00:00:00`);
  end.setDate(end.getDate() + 1);
  return { from: new Date(`${from}T00:00:00`).toISOString(), to: end.toISOString(), tz: TZ };
}

/** Seconds as "45 s", "12 min", "3 h 5 min", "2 d 4 h"; a dash when there is nothing to measure. */
export function formatSeconds(t: TFunction, s: number | null | undefined): string {
  if (s === null || s === undefined) return "—";
  if (s < 60) return t("analytics.seconds", { s: Math.round(s) });
  const m = Math.round(s / 60);
  if (m < 60) return t("duration.m", { m });
  const h = Math.floor(m / 60);
  if (h < 24) return t("duration.hm", { h, m: m % 60 });
  return t("duration.dh", { d: Math.floor(h / 24), h: h % 24 });
}

/** Team analytics (R601 reporting): volumes, response and resolution times, agents, channels, busy hours. */
export function AnalyticsPage({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const fallback = lastDays(30);
  const from = params.get("from") ?? fallback[0];
  const to = params.get("to") ?? fallback[1];
  const preset = PRESETS.find((n) => {
    const [f, e] = lastDays(Number(n));
    return f === from && e === to;
  });
  const period = periodParams(from, to);
  const analytics = useAnalytics(period);
  const setRange = (f: string, e: string) => setParams({ from: f, to: e }, { replace: true });
  const csv = (metric: string) => () =>
    downloadCsv(`/api/analytics.csv?${new URLSearchParams({ ...period, metric })}`);

  if (!can(session, "reports.view"))
    return (
      <PageShell session={session}>
        <Alert color="yellow" variant="light">
          {t("analytics.forbidden")}
        </Alert>
      </PageShell>
    );
  const a = analytics.data;
  return (
    <PageShell session={session} wide>
      <Group justify="space-between" align="flex-end" mb="lg">
        <Stack gap={4}>
          <Title order={2}>{t("analytics.title")}</Title>
          <Text c="dimmed" size="sm">
            {t("analytics.subtitle")}
          </Text>
        </Stack>
        <Group gap="sm" align="flex-end">
          <SegmentedControl
            value={preset ?? ""}
            onChange={(n) => setRange(...lastDays(Number(n)))}
            data={PRESETS.map((n) => ({ value: n, label: t("analytics.lastDays", { count: Number(n) }) }))}
            data-testid="analytics-preset"
          />
          <DatePickerInput
            type="range"
            label={t("analytics.period")}
            locale={i18n.language}
            value={[from, to] as DatesRangeValue<string>}
            onChange={(v) => {
              if (v[0] && v[1]) setRange(v[0], v[1]);
            }}
            allowSingleDateInRange
            valueFormat="D MMM YYYY"
            w={250}
            data-testid="analytics-period"
          />
        </Group>
      </Group>
      {analytics.isError ? (
        <Alert color="red" variant="light">
          {errorText(t, analytics.error)}
        </Alert>
      ) : !a ? (
        <Center py="xl">
          <Loader size="sm" />
        </Center>
      ) : (
        <Stack gap="md" data-testid="analytics">
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Stat label={t("analytics.opened")} value={String(a.opened)} testId="stat-opened" />
            <Stat label={t("analytics.closed")} value={String(a.closed)} testId="stat-closed" />
            <Stat
              label={t("analytics.firstResponseAvg")}
              value={formatSeconds(t, a.firstResponse.avgSeconds)}
              hint={t("analytics.p90", { value: formatSeconds(t, a.firstResponse.p90Seconds) })}
              testId="stat-first-response"
            />
            <Stat
              label={t("analytics.resolutionAvg")}
              value={formatSeconds(t, a.resolution.avgSeconds)}
              hint={t("analytics.p90", { value: formatSeconds(t, a.resolution.p90Seconds) })}
              testId="stat-resolution"
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <ChartCard title={t("analytics.volume")} onCsv={csv("summary")} metric="summary">
              <BarChart
                h={260}
                data={[
                  { name: t("analytics.opened"), value: a.opened },
                  { name: t("analytics.closed"), value: a.closed },
                ]}
                dataKey="name"
                series={[{ name: "value", label: t("analytics.conversations"), color: "indigo.6" }]}
              />
            </ChartCard>
            <ChartCard title={t("analytics.times")} onCsv={csv("summary")} metric="summary">
              <BarChart
                h={260}
                data={[
                  ["firstResponse", a.firstResponse],
                  ["responseTime", a.responseTime],
                  ["resolution", a.resolution],
                ].map(([key, s]) => {
                  const stats = s as typeof a.resolution;
                  return {
                    name: t(`analytics.${key as "resolution"}`),
                    avg: stats.avgSeconds ?? 0,
                    p50: stats.p50Seconds ?? 0,
                    p90: stats.p90Seconds ?? 0,
                  };
                })}
                dataKey="name"
                withLegend
                valueFormatter={(v) => formatSeconds(t, v)}
                series={[
                  { name: "avg", label: t("analytics.avg"), color: "indigo.6" },
                  { name: "p50", label: t("analytics.median"), color: "teal.6" },
                  { name: "p90", label: t("analytics.p90short"), color: "orange.6" },
                ]}
              />
            </ChartCard>
            <ChartCard title={t("analytics.perAgent")} onCsv={csv("agents")} metric="agents">
              <RowBars
                rows={a.agents}
                series={[
                  { name: "conversations", label: t("analytics.conversations"), color: "indigo.6" },
                  { name: "closed", label: t("analytics.closed"), color: "teal.6" },
                  { name: "replies", label: t("analytics.replies"), color: "gray.5" },
                ]}
              />
            </ChartCard>
            <ChartCard title={t("analytics.perChannel")} onCsv={csv("channels")} metric="channels">
              <RowBars
                rows={a.channels}
                series={[
                  { name: "opened", label: t("analytics.opened"), color: "indigo.6" },
                  { name: "closed", label: t("analytics.closed"), color: "teal.6" },
                  { name: "inbound", label: t("analytics.inbound"), color: "orange.5" },
                  { name: "outbound", label: t("analytics.outbound"), color: "gray.5" },
                ]}
              />
            </ChartCard>
          </SimpleGrid>
          <ChartCard title={t("analytics.hours", { tz: a.period.tz })} onCsv={csv("hours")} metric="hours">
            <BarChart
              h={240}
              data={Array.from({ length: 24 }, (_, hour) => ({
                hour: String(hour).padStart(2, "0"),
                inbound: a.hours.find((h) => h.hour === hour)?.inbound ?? 0,
              }))}
              dataKey="hour"
              series={[{ name: "inbound", label: t("analytics.inbound"), color: "indigo.6" }]}
            />
          </ChartCard>
          <BotReport from={period.from!} to={period.to!} duration={(s) => formatSeconds(t, s)} />
        </Stack>
      )}
    </PageShell>
  );
}

function Stat({
  label,
  value,
  hint,
  testId,
}: {
  label: string;
  value: string;
  hint?: string;
  testId: string;
}) {
  return (
    <Paper withBorder radius="md" p="md" data-testid={testId}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text fw={700} size="xl" data-testid="stat-value">
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Paper>
  );
}

function ChartCard({
  title,
  onCsv,
  metric,
  children,
}: {
  title: string;
  onCsv: () => void;
  metric: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Paper withBorder radius="md" p="md" data-testid="chart" data-metric={metric}>
      <Group justify="space-between" mb="sm">
        <Text fw={600}>{title}</Text>
        <Tooltip label={t("analytics.downloadCsv")}>
          <ActionIcon
            variant="subtle"
            aria-label={t("analytics.downloadCsv")}
            onClick={onCsv}
            data-testid="chart-csv"
          >
            <IconDownload size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
      {children}
    </Paper>
  );
}

/** One horizontal bar group a row (an agent, a channel), or "no data" without rows. */
function RowBars<R extends { name: string }>({
  rows,
  series,
}: {
  rows: R[];
  series: { name: keyof R & string; label: string; color: string }[];
}) {
  if (!rows.length) return <Empty />;
  return (
    <BarChart
      h={Math.max(200, rows.length * 48)}
      data={rows.map((r) => ({
        name: r.name,
        ...Object.fromEntries(series.map((x) => [x.name, r[x.name]])),
      }))}
      dataKey="name"
      orientation="vertical"
      yAxisProps={{ width: 120 }}
      withLegend
      series={series}
    />
  );
}

function Empty() {
  const { t } = useTranslation();
  return (
    <Text c="dimmed" size="sm" ta="center" py="xl">
      {t("analytics.noData")}
    </Text>
  );
}
