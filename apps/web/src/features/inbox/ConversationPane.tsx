import {
  ActionIcon,
  Alert,
  Box,
  Button,
  Center,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Text,
  Tooltip,
} from "@mantine/core";
import type { Conversation, ConversationStatus } from "@parley/protocol";
import { IconHandGrab, IconLayoutSidebarRight } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { keys, useConversation, useFeed, useUsers } from "../../api/queries";
import { receiptKeys } from "../../api/receipts";
import { errorText } from "../../lib/errors";
import { showError } from "../../lib/notify";
import { focus, upsertConversation } from "../../realtime/apply";
import { PresenceDot } from "../account/presence";
import { ConversationMenu } from "../conversation-tools/ConversationMenu";
import { ConversationReceipts } from "../receipts/ConversationReceipts";
import { usePeeking } from "../receipts/peek";
import { ChannelIcon } from "./ChannelIcon";
import { Composer } from "./Composer";
import { ContactAvatar, contactName } from "./ContactAvatar";
import { ConversationSearch } from "./ConversationSearch";
import { Feed } from "./Feed";
import { TypingIndicator } from "./TypingIndicator";

// The side panel (contact, files, tasks) loads on first use: the inbox's initial bundle stays small.
const SidePanel = lazy(() =>
  import("../conversation-tools/SidePanel").then((m) => ({ default: m.SidePanel })),
);

/** One conversation: header with status and assignment, the feed, and the composer. */
export function ConversationPane({ id, me }: { id: string; me: string }) {
  const { t } = useTranslation();
  const conversation = useConversation(id);
  const feed = useFeed(id);
  useMarkRead(id, feed.data?.messages);
  const [panel, setPanel] = useState(() => localStorage.getItem("parley.sidePanel") === "on");
  useEffect(() => localStorage.setItem("parley.sidePanel", panel ? "on" : "off"), [panel]);

  if (conversation.isError)
    return (
      <Center h="100%" p="xl">
        <Alert color="red" variant="light">
          {errorText(t, conversation.error)}
        </Alert>
      </Center>
    );
  if (!conversation.data)
    return (
      <Center h="100%">
        <Loader size="sm" />
      </Center>
    );
  const c = conversation.data;
  return (
    <Group h="100%" gap={0} wrap="nowrap" align="stretch">
      <Stack h="100%" gap={0} style={{ flex: 1, minWidth: 0 }} data-testid="conversation-pane">
        <Header c={c} me={me} panel={panel} onPanel={() => setPanel((p) => !p)} />
        <Box style={{ flex: 1, minHeight: 0 }} bg="gray.0" pos="relative">
          <ConversationSearch conversationId={id} />
          <Feed conversationId={id} feed={feed.data} loading={feed.isPending} />
          <TypingIndicator conversationId={id} />
        </Box>
        <Composer conversation={c} />
      </Stack>
      {panel ? (
        <Box
          w={300}
          style={{ borderLeft: "1px solid var(--mantine-color-gray-3)", flexShrink: 0 }}
          bg="white"
        >
          <Suspense fallback={<Loader size="sm" m="md" />}>
            <SidePanel conversation={c} />
          </Suspense>
        </Box>
      ) : null}
    </Group>
  );
}

/** Marks the conversation read when it is opened, and again as customer messages arrive while it is in view. */
function useMarkRead(id: string, messages: { seq: number; direction: string }[] | undefined) {
  const qc = useQueryClient();
  const peeking = usePeeking();
  const sent = useRef(0);
  const lastInbound = messages?.findLast((m) => m.direction === "inbound")?.seq ?? 0;
  useEffect(() => {
    focus.conversationId = id;
    return () => {
      if (focus.conversationId === id) focus.conversationId = null;
    };
  }, [id]);
  useEffect(() => {
    if (!messages) return;
    const mark = () => {
      // A supervisor peeking reads without marking read (R303).
      if (peeking) return;
      if (document.visibilityState !== "visible" || sent.current >= Math.max(lastInbound, 1)) return;
      sent.current = Math.max(lastInbound, 1);
      // "Seen by" is refetched too: the read's live event may go out before this tab's socket is connected.
      void client.POST("/api/conversations/{id}/read", { params: { path: { id } }, body: {} }).then(() => {
        void qc.invalidateQueries({ queryKey: keys.unread });
        void qc.invalidateQueries({ queryKey: receiptKeys.seenBy(id) });
      });
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [id, lastInbound, messages, qc, peeking]);
}

function Header({
  c,
  me,
  panel,
  onPanel,
}: {
  c: Conversation;
  me: string;
  panel: boolean;
  onPanel: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const users = useUsers();
  const assignee = users.data?.find((u) => u.id === c.assigneeId);
  const onDone = (r: { conversation: Conversation }) => {
    upsertConversation(qc, me, r.conversation);
    void qc.invalidateQueries({ queryKey: keys.conversation(c.id) });
  };
  const onError = (err: unknown) => showError(t, err);
  const status = useMutation({
    mutationFn: (s: ConversationStatus) =>
      data(
        client.POST("/api/conversations/{id}/status", {
          params: { path: { id: c.id } },
          body: { status: s },
        }),
      ),
    onSuccess: onDone,
    onError,
  });
  const take = useMutation({
    mutationFn: () =>
      data(
        client.POST("/api/conversations/{id}/assign", {
          params: { path: { id: c.id } },
          body: { assigneeId: me },
        }),
      ),
    onSuccess: onDone,
    onError,
  });
  const details = [c.contact.phone, c.contact.email].filter(Boolean).join(" · ");
  return (
    <Group
      px="lg"
      py="sm"
      justify="space-between"
      wrap="nowrap"
      style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}
      bg="white"
    >
      <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
        <ContactAvatar contact={c.contact} channel={c.connection.type} size={44} />
        <Box style={{ minWidth: 0 }}>
          <Group gap={8} wrap="nowrap">
            <Text fw={700} truncate data-testid="conversation-contact">
              {contactName(c.contact) ?? t("list.unknownContact")}
            </Text>
            <Text size="sm" c="dimmed" style={{ flexShrink: 0 }}>
              {t("conversation.number", { number: c.number })}
            </Text>
          </Group>
          <Group gap={6} wrap="nowrap">
            <ChannelIcon type={c.connection.type} />
            <Text size="xs" c="dimmed" truncate>
              {c.connection.name}
              {details ? ` · ${details}` : ""}
            </Text>
          </Group>
          <Text size="xs" c="dimmed" data-testid="conversation-assignee">
            {assignee && c.assigneeId !== me ? (
              <span style={{ marginRight: 4, verticalAlign: "-1px" }}>
                <PresenceDot userId={assignee.id} size={7} />
              </span>
            ) : null}
            {c.assigneeId === me
              ? t("conversation.assignedToMe")
              : assignee
                ? t("conversation.assignedTo", { name: assignee.name })
                : t("conversation.unassigned")}
          </Text>
        </Box>
      </Group>
      <Group gap="sm" wrap="nowrap">
        <ConversationReceipts conversation={c} />
        {c.assigneeId !== me && c.permissions?.assign ? (
          <Tooltip label={t("conversation.takeHint")}>
            <Button
              variant="light"
              size="xs"
              leftSection={<IconHandGrab size={16} />}
              loading={take.isPending}
              onClick={() => take.mutate()}
              data-testid="take"
            >
              {t("conversation.take")}
            </Button>
          </Tooltip>
        ) : null}
        <SegmentedControl
          size="xs"
          aria-label={t("status.label")}
          data-testid="status-control"
          value={c.status}
          disabled={!c.permissions?.changeStatus || status.isPending}
          onChange={(v) => status.mutate(v as ConversationStatus)}
          data={(["open", "in_progress", "closed"] as const).map((s) => ({
            value: s,
            label: t(`status.${s}`),
          }))}
        />
        <ConversationMenu c={c} me={me} />
        <Tooltip label={t("convTools.panel.toggle")}>
          <ActionIcon
            variant={panel ? "light" : "default"}
            size="md"
            onClick={onPanel}
            aria-label={t("convTools.panel.toggle")}
            data-testid="panel-toggle"
          >
            <IconLayoutSidebarRight size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
    </Group>
  );
}
