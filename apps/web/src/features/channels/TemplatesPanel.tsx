import { Alert, Badge, Button, Group, Stack, Table, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconRefresh } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { channelKeys, type Template, useTemplates } from "../../api/channels";
import { post } from "../../api/client";
import type { Answer } from "../../api/types";
import { errorWithReason } from "../../lib/errors";
import { fullDateTime } from "../../lib/format";

const STATUS_COLOR: Record<string, string> = {
  APPROVED: "teal",
  PENDING: "yellow",
  REJECTED: "red",
  PAUSED: "orange",
  DISABLED: "gray",
};

/** WhatsApp: sync the business account's templates and list them with their status and variables. */
export function TemplatesPanel({ connectionId }: { connectionId: string }) {
  const { t, i18n } = useTranslation();
  const approved = useTemplates(connectionId);
  const [all, setAll] = useState<Template[] | null>(null);
  const qc = useQueryClient();
  const sync = useMutation({
    mutationFn: () =>
      post<
        Omit<Answer<"/api/connections/{id}/templates/sync", "post">, "templates"> & { templates: Template[] }
      >(`/api/connections/${connectionId}/templates/sync`),
    onSuccess: (r) => {
      setAll(r.templates);
      void qc.invalidateQueries({ queryKey: channelKeys.templates(connectionId) });
      notifications.show({ color: "teal", message: t("channels.templates.synced", { count: r.synced }) });
    },
  });
  const list = all ?? approved.data ?? [];
  return (
    <Stack
      gap="sm"
      mt="md"
      pt="md"
      style={{ borderTop: "1px solid var(--mantine-color-gray-2)" }}
      data-testid="templates"
    >
      <Group justify="space-between">
        <Text fw={600} size="sm">
          {t("channels.templates.title")}
        </Text>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconRefresh size={14} />}
          loading={sync.isPending}
          onClick={() => sync.mutate()}
          data-testid="sync-templates"
        >
          {t("channels.templates.sync")}
        </Button>
      </Group>
      {sync.error ? (
        <Alert color="red" variant="light">
          {errorWithReason(t, sync.error)}
        </Alert>
      ) : null}
      {list.length === 0 ? (
        <Text size="sm" c="dimmed">
          {approved.isPending ? t("common.loading") : t("channels.templates.empty")}
        </Text>
      ) : (
        <Table striped verticalSpacing={6} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("channels.templates.name")}</Table.Th>
              <Table.Th>{t("channels.templates.language")}</Table.Th>
              <Table.Th>{t("channels.templates.category")}</Table.Th>
              <Table.Th>{t("channels.templates.status")}</Table.Th>
              <Table.Th>{t("channels.templates.variables")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((tpl) => (
              <Table.Tr key={tpl.id} data-testid="template-row">
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" ff="monospace">
                      {tpl.name}
                    </Text>
                    {!tpl.sendable ? (
                      <Tooltip label={tpl.unsupported ?? t("channels.templates.notSendable")}>
                        <Badge size="xs" color="gray" variant="light" tt="none">
                          {t("channels.templates.notSendable")}
                        </Badge>
                      </Tooltip>
                    ) : null}
                  </Group>
                </Table.Td>
                <Table.Td>{tpl.language}</Table.Td>
                <Table.Td>{tpl.category ?? "—"}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={STATUS_COLOR[tpl.status] ?? "gray"}>
                    {tpl.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{tpl.variables.header + tpl.variables.body + tpl.variables.buttons}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="xs" c="dimmed">
        {all
          ? null
          : approved.data?.[0]
            ? t("channels.templates.syncedAt", {
                time: fullDateTime(approved.data[0].syncedAt, i18n.language),
              })
            : null}
      </Text>
    </Stack>
  );
}
