import { Button, Checkbox, Group, Modal, SegmentedControl, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconDownload } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { askStepUp } from "../../api/client";
import { downloadCsv } from "../../api/log";
import { recentlyConfirmed } from "../security/security-api";

/**
 * CSV export of what a page shows (R602): the log (`scope=log`) or an inbox view (`scope=inbox`) with its
 * current filters, one row per conversation or per message, optionally with internal notes and with the
 * contacts' personal data replaced by pseudonyms. The server streams the file and audits the export.
 */
export function ExportButton({
  scope,
  filters,
  compact = false,
}: {
  scope: "log" | "inbox";
  filters: Record<string, string>;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  const [rows, setRows] = useState<"conversations" | "messages">("conversations");
  const [notes, setNotes] = useState(false);
  const [redact, setRedact] = useState(false);
  const start = async () => {
    // A download link cannot be sent again after a refusal: confirm who it is first when that is due.
    if (!(await recentlyConfirmed().catch(() => true)) && !(await askStepUp())) return;
    const q = new URLSearchParams({ ...filters, scope });
    if (rows === "messages" && notes) q.set("notes", "true");
    if (redact) q.set("redact", "true");
    downloadCsv(`/api/exports/${rows}.csv?${q}`);
    close();
  };
  return (
    <>
      <Button
        variant={compact ? "subtle" : "default"}
        size={compact ? "xs" : "sm"}
        justify={compact ? "flex-start" : undefined}
        leftSection={<IconDownload size={16} />}
        onClick={open}
        data-testid="export-open"
      >
        {t("exportCsv.button")}
      </Button>
      <Modal opened={opened} onClose={close} title={t("exportCsv.title")}>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            {scope === "log" ? t("exportCsv.hintLog") : t("exportCsv.hintInbox")}
          </Text>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t("exportCsv.rows")}
            </Text>
            <SegmentedControl
              fullWidth
              value={rows}
              onChange={(v) => setRows(v as typeof rows)}
              data={[
                { value: "conversations", label: t("exportCsv.perConversation") },
                { value: "messages", label: t("exportCsv.perMessage") },
              ]}
              data-testid="export-rows"
            />
          </Stack>
          <Checkbox
            label={t("exportCsv.notes")}
            description={t("exportCsv.notesHint")}
            checked={notes && rows === "messages"}
            disabled={rows !== "messages"}
            onChange={(e) => setNotes(e.currentTarget.checked)}
            data-testid="export-notes"
          />
          <Checkbox
            label={t("exportCsv.redact")}
            description={t("exportCsv.redactHint")}
            checked={redact}
            onChange={(e) => setRedact(e.currentTarget.checked)}
            data-testid="export-redact"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("exportCsv.cancel")}
            </Button>
            <Button leftSection={<IconDownload size={16} />} onClick={start} data-testid="export-start">
              {t("exportCsv.download")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
