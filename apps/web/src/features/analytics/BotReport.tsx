import { Alert, Center, Loader, Paper, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { errorText } from "../../lib/errors";

const REASONS = ["api", "keyword", "timeout", "agent"] as const;

/**
 * What bots did in the page's period (issue 14, item 5): per bot, the conversations handed to it, those it
 * resolved (closed while it held them), those it handed over by reason, and the median time to hand-over.
 */
export function BotReport({
  from,
  to,
  duration,
}: {
  /** The page's period, as the API takes it: [from, to). */
  from: string;
  to: string;
  /** How the page writes a number of seconds. */
  duration: (seconds: number | null) => string;
}) {
  const { t } = useTranslation();
  const report = useQuery({
    queryKey: ["bots", "report", from, to],
    queryFn: () => data(client.GET("/api/bots/report", { params: { query: { from, to } } })),
  });
  const bots = report.data?.bots ?? [];
  return (
    <Paper withBorder radius="md" p="md" data-testid="bot-report">
      <Text fw={600}>{t("botReport.title")}</Text>
      <Text size="sm" c="dimmed" mb="sm">
        {t("botReport.hint")}
      </Text>
      {report.isError ? (
        <Alert color="red" variant="light">
          {errorText(t, report.error)}
        </Alert>
      ) : !report.data ? (
        <Center py="md">
          <Loader size="sm" />
        </Center>
      ) : !bots.length ? (
        <Text c="dimmed" size="sm" ta="center" py="md">
          {t("botReport.none")}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("botReport.bot")}</Table.Th>
                <Table.Th>{t("botReport.assigned")}</Table.Th>
                <Table.Th>{t("botReport.resolved")}</Table.Th>
                <Table.Th>{t("botReport.handedOver")}</Table.Th>
                {REASONS.map((r) => (
                  <Table.Th key={r}>{t(`botReport.reasons.${r}`)}</Table.Th>
                ))}
                <Table.Th>{t("botReport.median")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {bots.map((b) => (
                <Table.Tr key={b.botId} data-testid={`bot-report-${b.botId}`}>
                  <Table.Td>{b.name}</Table.Td>
                  <Table.Td data-testid="bot-assigned">{b.handled}</Table.Td>
                  <Table.Td data-testid="bot-resolved">{b.resolved}</Table.Td>
                  <Table.Td data-testid="bot-handed-over">{b.handedOver}</Table.Td>
                  {REASONS.map((r) => (
                    <Table.Td key={r}>{b.byReason[r]}</Table.Td>
                  ))}
                  <Table.Td>{duration(b.medianHandoverSeconds)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
