import { Badge, Paper, Select, Stack, Switch, Table, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { patch, put } from "../../api/client";
import { receiptKeys, useReceiptSettings } from "../../api/receipts";
import { CenteredLoader } from "../../components/CenteredLoader";
import { showError } from "../../lib/notify";
import { toolKeys, useWorkspaceSettings } from "../inbox/inbox-tools-api";
import { useSaveReceiptSettings } from "./useSaveReceiptSettings";

/** Read receipts on or off for the workspace and per connection, and when contacts are told "seen" (R305). */
export function PolicyPanel() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const view = useReceiptSettings();
  const save = useSaveReceiptSettings();
  const override = useMutation({
    mutationFn: ({ id, readReceipts }: { id: string; readReceipts: boolean | null }) =>
      put(`/api/connections/${id}/receipt-policy`, { readReceipts }),
    onSuccess: () => qc.invalidateQueries({ queryKey: receiptKeys.settings }),
    onError: (err) => showError(t, err),
  });
  const workspace = useWorkspaceSettings();
  const sendSeen = useMutation({
    mutationFn: (value: string) => patch("/api/workspace", { settings: { sendSeen: value } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: toolKeys.workspace }),
    onError: (err) => showError(t, err),
  });
  if (!view.data) return <CenteredLoader />;
  const s = view.data.settings;
  const toValue = (v: boolean | null) => (v === null ? "inherit" : v ? "on" : "off");
  return (
    <Stack gap="md">
      <Paper withBorder p="md" radius="md">
        <Switch
          checked={s.readReceipts}
          onChange={(e) => save.mutate({ readReceipts: e.currentTarget.checked })}
          label={t("receiptSettings.readReceipts")}
          description={t("receiptSettings.readReceiptsHint")}
          data-testid="setting-read-receipts"
        />
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Select
          label={t("receiptSettings.sendSeen")}
          description={t("receiptSettings.sendSeenHint")}
          allowDeselect={false}
          maw={420}
          value={workspace.data?.sendSeen ?? "off"}
          onChange={(v) => v && sendSeen.mutate(v)}
          data={(["off", "on_open", "on_reply"] as const).map((k) => ({
            value: k,
            label: t(`receiptSettings.sendSeenOptions.${k}`),
          }))}
          data-testid="setting-send-seen"
        />
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Text fw={600} mb="sm">
          {t("receiptSettings.connections")}
        </Text>
        <Table>
          <Table.Tbody>
            {view.data.connections.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Text size="sm">{c.name}</Text>
                  <Text size="xs" c="dimmed">
                    {c.type}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {c.reportsRead ? (
                    <Badge variant="light" color="blue">
                      {t("receiptSettings.reportsRead")}
                    </Badge>
                  ) : (
                    <Badge variant="light" color="gray">
                      {t("receiptSettings.noReadReports")}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td w={200}>
                  <Select
                    size="xs"
                    allowDeselect={false}
                    aria-label={t("receiptSettings.readReceipts")}
                    value={toValue(c.readReceipts)}
                    onChange={(v) =>
                      override.mutate({ id: c.id, readReceipts: v === "inherit" ? null : v === "on" })
                    }
                    data={(["inherit", "on", "off"] as const).map((k) => ({
                      value: k,
                      label: t(`receiptControls.override.${k}`),
                    }))}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}
