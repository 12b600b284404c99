import { Button, Group, SegmentedControl, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type AlertStatus, useAcknowledge, useAlerts } from "./alerts-api";

const when = (iso: string, lang: string) =>
  new Date(iso).toLocaleString(lang, { dateStyle: "short", timeStyle: "short" });

/** The raised alerts (open, acknowledged or all), newest first, with acknowledging. */
export function AlertsList() {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<AlertStatus>("open");
  const list = useAlerts(status);
  const ack = useAcknowledge();
  const alerts = list.data?.pages.flatMap((p) => p.alerts) ?? [];
  return (
    <Stack gap="xs">
      <SegmentedControl
        data-testid="alerts-status"
        value={status}
        onChange={(v) => setStatus(v as AlertStatus)}
        data={(["open", "acknowledged", "all"] as const).map((s) => ({
          value: s,
          label: t(`alerts.status.${s}`),
        }))}
        w="fit-content"
      />
      {list.data && !alerts.length ? <Text c="dimmed">{t("alerts.none")}</Text> : null}
      {alerts.length ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("alerts.rule")}</Table.Th>
              <Table.Th>{t("alerts.subject")}</Table.Th>
              <Table.Th>{t("alerts.count")}</Table.Th>
              <Table.Th>{t("alerts.seen")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {alerts.map((a) => (
              <Table.Tr key={a.id} data-testid={`alert-${a.id}`}>
                <Table.Td>{t(`alerts.rules.${a.rule}.name`)}</Table.Td>
                <Table.Td>{a.subject}</Table.Td>
                <Table.Td>{a.count}</Table.Td>
                <Table.Td>
                  {when(a.firstSeenAt, i18n.language)} – {when(a.lastSeenAt, i18n.language)}
                </Table.Td>
                <Table.Td>
                  {a.acknowledgedAt ? (
                    <Text size="sm" c="dimmed" data-testid="acknowledged-by">
                      {t("alerts.acknowledgedBy", {
                        name: a.acknowledgedBy?.name ?? "—",
                        at: when(a.acknowledgedAt, i18n.language),
                      })}
                    </Text>
                  ) : (
                    <Button
                      size="xs"
                      variant="light"
                      data-testid="acknowledge"
                      loading={ack.isPending && ack.variables === a.id}
                      onClick={() => ack.mutate(a.id)}
                    >
                      {t("alerts.acknowledge")}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {list.hasNextPage ? (
        <Group>
          <Button
            variant="subtle"
            onClick={() => list.fetchNextPage({ cancelRefetch: false })}
            loading={list.isFetchingNextPage}
          >
            {t("alerts.more")}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
