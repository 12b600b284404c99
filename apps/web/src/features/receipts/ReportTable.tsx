import { Table } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { ReceiptReport } from "../../api/receipts";
import { duration, percent } from "./report-format";

/** The report's rows with every measure, grouped as the page asks. */
export function ReportTable({
  rows,
  groupBy,
}: {
  rows: ReceiptReport["rows"];
  groupBy: "channel" | "agent" | "day";
}) {
  const { t } = useTranslation();
  return (
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
        {rows.map((row) => (
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
  );
}
