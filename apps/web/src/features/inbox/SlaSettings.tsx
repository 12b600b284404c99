import { Button, Group, Modal, NumberInput, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { showErrorWithReason } from "../../lib/notify";
import { toolKeys, type WorkspaceSettings } from "./inbox-tools-api";

/** Admins set the yellow and red time limits for waiting customers (R107). */
export function SlaSettings({
  opened,
  onClose,
  settings,
}: {
  opened: boolean;
  onClose: () => void;
  settings: WorkspaceSettings | undefined;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [yellow, setYellow] = useState<number | string>(settings?.slaYellowMinutes ?? "");
  const [red, setRed] = useState<number | string>(settings?.slaRedMinutes ?? "");
  const [saving, setSaving] = useState(false);
  const y = typeof yellow === "number" ? yellow : null;
  const r = typeof red === "number" ? red : null;
  const invalid = y !== null && r !== null && r <= y;
  const save = () => {
    setSaving(true);
    data(client.PATCH("/api/workspace", { body: { settings: { slaYellowMinutes: y, slaRedMinutes: r } } }))
      .then(
        (res) => {
          qc.setQueryData(toolKeys.workspace, res.workspace.settings);
          notifications.show({ color: "green", message: t("sla.saved") });
          onClose();
        },
        (err) => showErrorWithReason(t, err),
      )
      .finally(() => setSaving(false));
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t("sla.title")} centered>
      <Stack>
        <Text size="sm" c="dimmed">
          {t("sla.hint")}
        </Text>
        <NumberInput
          label={t("sla.yellow")}
          min={1}
          max={10080}
          allowDecimal={false}
          value={yellow}
          onChange={setYellow}
          data-testid="sla-yellow"
        />
        <NumberInput
          label={t("sla.red")}
          min={1}
          max={10080}
          allowDecimal={false}
          value={red}
          onChange={setRed}
          error={invalid ? t("sla.redAfterYellow") : undefined}
          data-testid="sla-red"
        />
        <Group justify="flex-end">
          <Button onClick={save} loading={saving} disabled={invalid} data-testid="sla-save">
            {t("sla.save")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
