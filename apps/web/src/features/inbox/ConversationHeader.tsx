import { ActionIcon, Box, Button, Group, Menu, Text } from "@mantine/core";
import { useElementSize } from "@mantine/hooks";
import type { Conversation, ConversationStatus } from "@parley/protocol";
import { IconHandGrab, IconLayoutSidebarRight } from "@tabler/icons-react";
import { useIsMutating, useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { useUsers } from "../../api/queries";
import { useLazyTooltip } from "../../components/lazy-popups";
import { showError } from "../../lib/notify";
import { PresenceDot } from "../account/presence";
import { BotMenuItems } from "../bots/BotMenuItems";
import { useBotNames } from "../bots/bots-api";
import { ConversationMenu } from "../conversation-tools/ConversationMenu";
import { HeaderProfileLink } from "../conversation-tools/ProfileLinks";
import { ConversationRecords } from "../linked-records/RecordBadges";
import { ConversationReceipts } from "../receipts/ConversationReceipts";
import { useApplied } from "./applied";
import { ChannelIcon } from "./ChannelIcon";
import { ContactAvatar, contactName } from "./ContactAvatar";
import { ImportantSnoozeMenuItems, SnoozeControl, StarToggle, snoozeTime } from "./ImportantSnooze";
import { CompactStatusControl, StatusControl } from "./StatusControl";

/**
 * Below this width the header's actions give the contact's name, channel and number their room (Russian and
 * Ukrainian labels need about this much): taking the conversation moves into its menu, and the status control
 * becomes a badge under the name that opens the same action and the list of statuses.
 */
export const HEADER_FULL_WIDTH = 820;

/**
 * The conversation's header: who the conversation is with (name, number, channel, assignment) first; the
 * actions beside it while there is room, else in the menu. The name never shares its line with the actions.
 * It is kept (and keeps its measured width) when another conversation opens; the parts that hold a
 * conversation's own state (dialogs, pickers, changes under way) start afresh with each conversation.
 */
export function ConversationHeader({
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
  const { t, i18n } = useTranslation();
  const users = useUsers();
  const { ref, width } = useElementSize();
  const takeTip = useLazyTooltip(t("conversation.takeHint"));
  const panelTip = useLazyTooltip(t("convTools.panel.toggle"));
  // Until measured (width 0) the compact form is used: it never overflows.
  const compact = width < HEADER_FULL_WIDTH;
  const assignee = users.data?.find((u) => u.id === c.assigneeId);
  const bot = useBotNames().data?.bots.find((b) => b.id === c.botId);
  const onDone = useApplied(c.id, me);
  const onError = (err: unknown) => showError(t, err);
  const status = useMutation({
    mutationKey: ["conversation-status", c.id],
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
    mutationKey: ["conversation-take", c.id],
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
  // A change under way shows as pending on its own conversation only, not on the one opened since.
  const statusPending = useIsMutating({ mutationKey: ["conversation-status", c.id] }) > 0;
  const takePending = useIsMutating({ mutationKey: ["conversation-take", c.id] }) > 0;
  const number = (
    <Text size="sm" c="gray.7" style={{ flexShrink: 0 }} data-testid="conversation-number">
      {t("conversation.number", { number: c.number })}
    </Text>
  );
  const mayTake = c.assigneeId !== me && !!c.permissions?.assign;
  const details = [c.contact.phone, c.contact.email].filter(Boolean).join(" · ");
  const assignment = bot
    ? t("bots.withBot", { name: bot.name })
    : c.assigneeId === me
      ? t("conversation.assignedToMe")
      : assignee
        ? t("conversation.assignedTo", { name: assignee.name })
        : t("conversation.unassigned");
  // In the compact form the menu takes over starring, snoozing and taking the conversation; the status stays in
  // view as a badge.
  const extra = compact ? (
    <>
      <ImportantSnoozeMenuItems c={c} me={me} />
      <Menu.Divider />
      {mayTake ? (
        <>
          <Menu.Item
            leftSection={<IconHandGrab size={14} />}
            onClick={() => take.mutate()}
            data-testid="take"
          >
            {t("conversation.take")}
          </Menu.Item>
          <Menu.Divider />
        </>
      ) : null}
    </>
  ) : null;
  const statusProps = {
    status: c.status,
    allowed: !!c.permissions?.changeStatus,
    pending: statusPending,
    onChange: (s: ConversationStatus) => status.mutate(s),
  };
  return (
    <Group
      ref={ref}
      px={compact ? "sm" : "lg"}
      py="sm"
      gap="sm"
      justify="space-between"
      wrap="nowrap"
      style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}
      bg="white"
      data-testid="conversation-header"
      data-compact={compact}
    >
      <Group gap="sm" wrap="nowrap" style={{ minWidth: 0, flex: 1 }}>
        <ContactAvatar contact={c.contact} channel={c.connection.type} size={compact ? 36 : 44} />
        <Box style={{ minWidth: 0, flex: 1 }}>
          <Group gap={8} wrap="nowrap" align="flex-start">
            {/* A long name takes a second line rather than being cut: who the conversation is with comes first. */}
            <Text
              fw={700}
              lineClamp={2}
              lh={1.3}
              data-testid="conversation-contact"
              style={{ minWidth: 0, flexShrink: 1, overflowWrap: "anywhere" }}
            >
              {contactName(c.contact) ?? t("list.unknownContact")}
            </Text>
            {compact ? null : number}
          </Group>
          <Group gap={6} wrap="nowrap">
            {compact ? number : null}
            <ChannelIcon type={c.connection.type} />
            <Text size="xs" c="dimmed" truncate>
              {c.connection.name}
              {details ? ` · ${details}` : ""}
            </Text>
            <HeaderProfileLink contactId={c.contact.id} connectionId={c.connection.id} />
          </Group>
          <Group gap={6} wrap="nowrap">
            {compact ? <CompactStatusControl {...statusProps} /> : null}
            <Text size="xs" c="dimmed" truncate data-testid="conversation-assignee" style={{ minWidth: 0 }}>
              {assignee && c.assigneeId !== me ? (
                <span style={{ marginRight: 4, verticalAlign: "-1px" }}>
                  <PresenceDot userId={assignee.id} size={7} />
                </span>
              ) : null}
              {assignment}
            </Text>
          </Group>
          {c.snoozedUntil ? (
            <Text size="xs" c="violet.8" truncate data-testid="snoozed-until">
              {t("importantSnooze.snooze.until", { time: snoozeTime(c.snoozedUntil, i18n.language) })}
            </Text>
          ) : null}
          <ConversationRecords key={c.id} conversationId={c.id} />
        </Box>
      </Group>
      <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
        <ConversationReceipts key={c.id} conversation={c} />
        {compact ? null : <StarToggle key={c.id} c={c} me={me} />}
        {!compact && c.status !== "closed" ? <SnoozeControl key={c.id} c={c} me={me} /> : null}
        {!compact && mayTake ? (
          <Button
            variant="light"
            size="xs"
            leftSection={<IconHandGrab size={16} />}
            loading={takePending}
            onClick={() => take.mutate()}
            data-testid="take"
            {...takeTip.targetProps}
          >
            {t("conversation.take")}
            {takeTip.tooltip}
          </Button>
        ) : null}
        {compact ? null : <StatusControl {...statusProps} />}
        <ConversationMenu
          key={c.id}
          c={c}
          me={me}
          extra={
            <>
              {extra}
              <BotMenuItems c={c} onDone={onDone} />
            </>
          }
        />
        <ActionIcon
          variant={panel ? "light" : "default"}
          size="md"
          onClick={onPanel}
          aria-label={t("convTools.panel.toggle")}
          aria-pressed={panel}
          data-testid="panel-toggle"
          {...panelTip.targetProps}
        >
          <IconLayoutSidebarRight size={16} />
          {panelTip.tooltip}
        </ActionIcon>
      </Group>
    </Group>
  );
}
