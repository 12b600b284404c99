import { Alert, Badge, Button, Center, Code, Loader, Table, Text, Tooltip } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { errorText } from "../../lib/errors";
import { useDeliveries, useSendAgain, type WebhookDelivery } from "./webhooks-api";

const COLOR: Record<WebhookDelivery["status"], string> = {
  pending: "yellow",
  succeeded: "green",
  failed: "red",
};

/** An endpoint's last deliveries: status, attempts, time, duration, the answer, and "send again". */
export function DeliveryLog({ endpointId }: { endpointId: string }) {
  const { t, i18n } = useTranslation();
  const log = useDeliveries(endpointId);
  const again = useSendAgain();
  if (log.isError) return <Alert color="red">{errorText(t, log.error)}</Alert>;
  if (!log.data)
    return (
      <Center py="md">
        <Loader size="sm" />
      </Center>
    );
  if (log.data.deliveries.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="deliveries-empty">
        {t("webhooks.noDeliveries")}
      </Text>
    );
  const time = (s: string | null) => (s ? new Date(s).toLocaleString(i18n.language) : "—");
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped fz="sm" data-testid="delivery-log">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("webhooks.log.event")}</Table.Th>
            <Table.Th>{t("webhooks.log.status")}</Table.Th>
            <Table.Th>{t("webhooks.log.attempts")}</Table.Th>
            <Table.Th>{t("webhooks.log.time")}</Table.Th>
            <Table.Th>{t("webhooks.log.duration")}</Table.Th>
            <Table.Th>{t("webhooks.log.response")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {log.data.deliveries.map((d) => (
            <Table.Tr key={d.id} data-testid="delivery-row" data-status={d.status}>
              <Table.Td>
                <Code>{d.eventType}</Code>
              </Table.Td>
              <Table.Td>
                <Badge color={COLOR[d.status]} variant="light">
                  {t(`webhooks.status.${d.status}`)}
                </Badge>
                {d.status === "pending" && d.nextAttemptAt ? (
                  <Text size="xs" c="dimmed">
                    {t("webhooks.log.next", { time: time(d.nextAttemptAt) })}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>{time(d.lastAttemptAt ?? d.createdAt)}</Table.Td>
              <Table.Td>{d.durationMs === null ? "—" : `${d.durationMs} ms`}</Table.Td>
              <Table.Td maw={260}>
                <Tooltip
                  label={d.responseExcerpt ?? d.error ?? ""}
                  disabled={!d.responseExcerpt && !d.error}
                  multiline
                  w={320}
                >
                  <Text size="xs" lineClamp={2}>
                    {d.responseStatus ?? ""} {d.error ?? d.responseExcerpt ?? ""}
                  </Text>
                </Tooltip>
              </Table.Td>
              <Table.Td>
                <Button
                  size="compact-xs"
                  variant="light"
                  loading={again.isPending && again.variables?.deliveryId === d.id}
                  onClick={() => again.mutate({ id: endpointId, deliveryId: d.id })}
                  data-testid="send-again"
                >
                  {t("webhooks.sendAgain")}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
