import { Badge, Box, Button, Center, Group, Loader, Modal, Paper, Stack, Text } from "@mantine/core";
import type { Message } from "@parley/protocol";
import { IconLock, IconPaperclip, IconSend } from "@tabler/icons-react";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { type LogEntry, useHistory } from "../../api/log";
import { useUsers } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { fullDateTime } from "../../lib/format";
import { eventText } from "../inbox/Feed";

/** A closed conversation's whole history (R601), oldest first; notes and system events marked internal. */
export function HistoryModal({
  entry,
  onClose,
  onWrite,
}: {
  entry: LogEntry;
  onClose: () => void;
  onWrite: () => void;
}) {
  const { t, i18n } = useTranslation();
  const users = useUsers();
  const history = useHistory(entry.id);
  // Pages arrive newest first; each page is in feed order.
  const messages = useMemo(
    () => (history.data ? [...history.data.pages].reverse().flatMap((p) => p.messages) : []),
    [history.data],
  );
  const nameOf = (id: unknown) =>
    (typeof id === "string" && users.data?.find((u) => u.id === id)?.name) || t("feed.someone");
  const contact = entry.contact.name ?? entry.contact.nickname ?? t("list.unknownContact");
  const author = (m: Message) =>
    m.authorType === "contact"
      ? contact
      : m.authorType === "user"
        ? nameOf(m.authorId)
        : m.authorType === "bot"
          ? t("log.bot")
          : t("feed.system");

  return (
    <Modal
      opened
      onClose={onClose}
      size="xl"
      title={
        <Stack gap={0}>
          <Text fw={700}>{t("log.historyTitle", { name: contact, number: entry.number })}</Text>
          <Text size="xs" c="dimmed">
            {entry.connection.name} · {t("log.closedAt", { at: fullDateTime(entry.closedAt, i18n.language) })}
          </Text>
        </Stack>
      }
      data-testid="history-modal"
    >
      <Stack gap="sm">
        {history.hasNextPage ? (
          <Center>
            <Button
              variant="subtle"
              size="xs"
              loading={history.isFetchingNextPage}
              onClick={() => void history.fetchNextPage()}
            >
              {t("conversation.loadOlder")}
            </Button>
          </Center>
        ) : null}
        {history.isError ? (
          <Text c="red" size="sm">
            {errorText(t, history.error)}
          </Text>
        ) : history.isPending ? (
          <Center py="xl">
            <Loader size="sm" />
          </Center>
        ) : messages.length === 0 ? (
          <Text c="dimmed" size="sm" ta="center">
            {t("conversation.empty")}
          </Text>
        ) : (
          messages.map((m) => {
            const internal = m.kind !== "message";
            return (
              <Paper
                key={m.id}
                withBorder
                radius="md"
                px="md"
                py={8}
                bg={internal ? "yellow.0" : m.direction === "inbound" ? "white" : "indigo.0"}
                style={
                  internal
                    ? { borderStyle: "dashed", borderColor: "var(--mantine-color-yellow-5)" }
                    : undefined
                }
                data-testid="history-message"
                data-kind={m.kind}
                data-direction={m.direction}
              >
                <Group justify="space-between" gap="xs" mb={2} wrap="nowrap">
                  <Group gap={6} wrap="nowrap">
                    <Text size="xs" fw={600}>
                      {author(m)}
                    </Text>
                    {internal ? (
                      <Badge
                        size="xs"
                        color="yellow"
                        variant="light"
                        tt="none"
                        leftSection={<IconLock size={10} />}
                        data-testid="history-internal"
                      >
                        {m.kind === "note" ? t("log.internalNote") : t("log.internalEvent")}
                      </Badge>
                    ) : null}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {fullDateTime(m.createdAt, i18n.language)}
                  </Text>
                </Group>
                <Text
                  size="sm"
                  style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}
                  data-testid="history-text"
                >
                  {m.kind === "event" ? eventText(t, m, nameOf) : m.text}
                </Text>
                {m.attachments.map((a) => (
                  <Group key={a.url} gap={4} wrap="nowrap">
                    <IconPaperclip size={14} />
                    <Text size="xs" component="a" href={a.url} c="indigo">
                      {a.name}
                    </Text>
                  </Group>
                ))}
              </Paper>
            );
          })
        )}
        <Box pt="xs">
          <Group justify="flex-end">
            <Button leftSection={<IconSend size={16} />} onClick={onWrite} data-testid="history-write">
              {t("contacts.write")}
            </Button>
          </Group>
        </Box>
      </Stack>
    </Modal>
  );
}
