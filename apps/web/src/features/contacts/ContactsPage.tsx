import {
  Alert,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import type { ContactSummary } from "@parley/protocol";
import { IconSearch, IconSend, IconUsers } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { type Contact, useContactSearch } from "../../api/channels";
import { client, data } from "../../api/client";
import { keys, type Session } from "../../api/queries";
import { errorText, errorWithReason } from "../../lib/errors";
import { ContactAvatar, contactName } from "../inbox/ContactAvatar";
import { PageShell } from "../layout/AppHeader";

/** Contacts: search by name, phone or email, and write to one (R501: the conversation reopens, assigned to you). */
export function ContactsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const contacts = useContactSearch(debounced);
  const [writing, setWriting] = useState<Contact | null>(null);

  return (
    <PageShell session={session}>
      <Stack gap={4} mb="lg">
        <Title order={2}>{t("contacts.title")}</Title>
        <Text c="dimmed" size="sm">
          {t("contacts.subtitle")}
        </Text>
      </Stack>
      <TextInput
        size="md"
        leftSection={<IconSearch size={18} />}
        placeholder={t("contacts.searchPlaceholder")}
        aria-label={t("contacts.search")}
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        rightSection={contacts.isFetching ? <Loader size="xs" /> : null}
        data-testid="contact-search"
        mb="md"
        autoFocus
      />
      <Paper withBorder radius="md">
        {contacts.isError ? (
          <Alert color="red" variant="light" m="md">
            {errorText(t, contacts.error)}
          </Alert>
        ) : !contacts.data ? (
          <Center py="xl">
            <Loader size="sm" />
          </Center>
        ) : contacts.data.length === 0 ? (
          <Stack align="center" gap={4} py="xl" c="dimmed" data-testid="contacts-empty">
            <IconUsers size={36} stroke={1.3} />
            <Text size="sm">{t("contacts.empty")}</Text>
          </Stack>
        ) : (
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("contacts.name")}</Table.Th>
                <Table.Th>{t("contacts.phone")}</Table.Th>
                <Table.Th>{t("contacts.email")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {contacts.data.map((c) => (
                <Table.Tr key={c.id} data-testid="contact-row" data-contact-id={c.id}>
                  <Table.Td>
                    <Group gap="sm" wrap="nowrap">
                      <ContactAvatar contact={c} size={32} />
                      <Text size="sm" fw={600} data-testid="contact-name">
                        {contactName(c) ?? t("list.unknownContact")}
                      </Text>
                      {c.blocked ? (
                        <Badge size="xs" color="red" variant="light" tt="none">
                          {t("contacts.blocked")}
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{c.phone ?? "—"}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{c.email ?? "—"}</Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <WriteButton disabled={c.blocked} onClick={() => setWriting(c)} testId="contact-write" />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {writing ? <WriteModal contact={writing} onClose={() => setWriting(null)} /> : null}
    </PageShell>
  );
}

/** A row's "Write" button (a contact, an entry of the message log). */
export function WriteButton({
  onClick,
  disabled,
  testId,
}: {
  onClick: () => void;
  disabled?: boolean;
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <Button
      size="xs"
      variant="light"
      leftSection={<IconSend size={14} />}
      disabled={disabled}
      onClick={onClick}
      data-testid={testId}
    >
      {t("contacts.write")}
    </Button>
  );
}

/** Writes to a past contact (R501); also used by the message log's "Write". */
export function WriteModal({ contact, onClose }: { contact: ContactSummary; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const send = useMutation({
    mutationFn: () =>
      data(
        client.POST("/api/contacts/{id}/messages", {
          params: { path: { id: contact.id } },
          body: { text: text.trim(), clientId: globalThis.crypto?.randomUUID?.() ?? `${Date.now()}` },
        }),
      ),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: keys.lists });
      void qc.invalidateQueries({ queryKey: keys.conversation(r.conversationId) });
      void qc.invalidateQueries({ queryKey: keys.feed(r.conversationId) });
      navigate(`/inbox/${r.conversationId}?view=mine`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) send.mutate();
  };
  return (
    <Modal
      opened
      onClose={onClose}
      title={t("contacts.writeTitle", { name: contactName(contact) ?? t("list.unknownContact") })}
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {t("contacts.writeHint")}
          </Text>
          <Textarea
            label={t("contacts.message")}
            autosize
            minRows={3}
            maxRows={8}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            data-testid="write-input"
            data-autofocus
          />
          {send.error ? (
            <Alert color="red" variant="light" data-testid="write-error">
              {errorWithReason(t, send.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("channels.form.cancel")}
            </Button>
            <Button
              type="submit"
              leftSection={<IconSend size={16} />}
              loading={send.isPending}
              disabled={!text.trim()}
              data-testid="write-send"
            >
              {t("contacts.send")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
