import { BarChart } from "@mantine/charts";
import { Paper, SimpleGrid, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { ReceiptReport } from "../../api/receipts";

/** Delivered, read and failed replies, and the median times to deliver and to read, per row of the report. */
export function ReportCharts({ rows }: { rows: ReceiptReport["rows"] }) {
  const { t } = useTranslation();
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Paper withBorder p="md" radius="md">
        <Text fw={600} mb="sm">
          {t("receiptReports.chartStates")}
        </Text>
        <BarChart
          h={260}
          data={rows.map((row) => ({
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
          data={rows.map((row) => ({
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
  );
}
