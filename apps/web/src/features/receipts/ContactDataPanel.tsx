import { Button, Group, Modal, Paper, Stack, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconDownload, IconTrash } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Contact, useContactSearch } from "../../api/channels";
import { del, get } from "../../api/client";
import type { Answer } from "../../api/types";
import { showError } from "../../lib/notify";
import { contactName } from "../inbox/ContactAvatar";

/** Finds a contact to download everything stored about them, or to erase it. */
export function ContactDataPanel() {
  const { t } = useTranslation();
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const contacts = useContactSearch(debounced);
  const [erasing, setErasing] = useState<Contact | null>(null);
  const qc = useQueryClient();
  const erase = useMutation({
    mutationFn: (id: string) => del<Answer<"/api/contacts/{id}/data", "delete">>(`/api/contacts/${id}/data`),
    onSuccess: (r) => {
      setErasing(null);
      void qc.invalidateQueries({ queryKey: ["contacts"] });
      notifications.show({ message: t("receiptSettings.erased", r.erased) });
    },
    onError: (err) => showError(t, err),
  });
  const exportContact = async (c: Contact) => {
    try {
      const data = await get<unknown>(`/api/contacts/${c.id}/export`);
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }),
      );
      const a = document.createElement("a");
      a.href = url;
      a.download = `parley-contact-${c.id}.json`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      showError(t, err);
    }
  };
  return (
    <>
      <Paper withBorder p="md" radius="md">
        <Text fw={600}>{t("receiptSettings.contactData")}</Text>
        <Text size="sm" c="dimmed" mb="sm">
          {t("receiptSettings.contactDataHint")}
        </Text>
        <TextInput
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          placeholder={t("receiptSettings.findContact")}
          aria-label={t("receiptSettings.findContact")}
          mb="sm"
        />
        <Table>
          <Table.Tbody>
            {(contacts.data ?? []).slice(0, 10).map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{contactName(c) ?? "—"}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    <Button
                      size="xs"
                      variant="light"
                      leftSection={<IconDownload size={14} />}
                      onClick={() => exportContact(c)}
                    >
                      {t("receiptSettings.export")}
                    </Button>
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      leftSection={<IconTrash size={14} />}
                      onClick={() => setErasing(c)}
                    >
                      {t("receiptSettings.erase")}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Modal opened={!!erasing} onClose={() => setErasing(null)} title={t("receiptSettings.eraseTitle")}>
        <Stack>
          <Text size="sm">
            {t("receiptSettings.eraseConfirm", { name: erasing ? (contactName(erasing) ?? "—") : "" })}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setErasing(null)}>
              {t("receiptSettings.cancel")}
            </Button>
            <Button color="red" loading={erase.isPending} onClick={() => erasing && erase.mutate(erasing.id)}>
              {t("receiptSettings.erase")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
