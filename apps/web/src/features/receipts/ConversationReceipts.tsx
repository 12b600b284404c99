import { ActionIcon, Avatar, Menu } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Conversation } from "@parley/protocol";
import { IconCheck, IconEye, IconEyeOff, IconMailOpened, IconReceipt } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { post, put } from "../../api/client";
import { keys, sessionQuery } from "../../api/queries";
import { receiptKeys, useSeenBy } from "../../api/receipts";
import { useLazyMenu, useLazyTooltip } from "../../components/lazy-popups";
import { fullDateTime } from "../../lib/format";
import { showError } from "../../lib/notify";
import { can } from "../../lib/permissions";
import { setPeeking, usePeeking } from "./peek";

/**
 * The conversation header's receipt controls (R303, R305): mark unread (for me only), "peek" (managers:
 * open conversations without marking them read) and the conversation's read-receipt override (managers).
 * The button shows whether peeking is on; what the menu needs is fetched when it is opened.
 */
export function ConversationReceipts({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const peeking = usePeeking();
  const menu = useLazyMenu();
  const tip = useLazyTooltip(t("receiptControls.menu"));
  return (
    <ActionIcon
      variant={peeking ? "filled" : "subtle"}
      color={peeking ? "orange" : "gray"}
      aria-label={t("receiptControls.menu")}
      data-testid="receipt-controls"
      data-peeking={peeking ? "true" : "false"}
      {...menu.targetProps}
      {...tip.targetProps}
    >
      {peeking ? <IconEyeOff size={18} /> : <IconReceipt size={18} />}
      {menu.menu(<ReceiptMenuItems conversation={conversation} peeking={peeking} />)}
      {tip.tooltip}
    </ActionIcon>
  );
}

function ReceiptMenuItems({ conversation, peeking }: { conversation: Conversation; peeking: boolean }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const session = useQuery(sessionQuery).data;
  const seen = useSeenBy(conversation.id).data;
  const manager = can(session, "conversations.view_all");
  const onError = (err: unknown) => showError(t, err);
  const unread = useMutation({
    mutationFn: () => post(`/api/conversations/${conversation.id}/unread`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.unread });
      notifications.show({ message: t("receiptControls.markedUnread") });
    },
    onError,
  });
  const override = useMutation({
    mutationFn: (readReceipts: boolean | null) =>
      put(`/api/conversations/${conversation.id}/receipt-policy`, { readReceipts }),
    onSuccess: () => qc.invalidateQueries({ queryKey: receiptKeys.seenBy(conversation.id) }),
    onError,
  });
  const current = seen?.override ?? null;
  return (
    <>
      {seen?.cursors.length ? (
        <>
          <Menu.Label>{t("receiptControls.readBy")}</Menu.Label>
          {seen.cursors.map((c) => (
            <Menu.Item
              key={c.userId}
              disabled
              data-testid="read-by"
              leftSection={<Avatar src={c.avatarUrl} name={c.name} color="initials" size={18} radius="xl" />}
            >
              {t("receiptControls.readUpTo", {
                name: c.name,
                time: fullDateTime(c.readAt, i18n.language),
              })}
              {c.markedUnread ? ` · ${t("receiptControls.markedUnreadShort")}` : ""}
            </Menu.Item>
          ))}
          <Menu.Divider />
        </>
      ) : null}
      <Menu.Item
        leftSection={<IconMailOpened size={14} />}
        onClick={() => unread.mutate()}
        data-testid="mark-unread"
      >
        {t("receiptControls.markUnread")}
      </Menu.Item>
      {manager ? (
        <>
          <Menu.Item
            leftSection={peeking ? <IconEye size={14} /> : <IconEyeOff size={14} />}
            onClick={() => setPeeking(!peeking)}
            data-testid="peek-toggle"
          >
            {peeking ? t("receiptControls.peekOff") : t("receiptControls.peekOn")}
          </Menu.Item>
          <Menu.Divider />
          <Menu.Label>{t("receiptControls.readReceipts")}</Menu.Label>
          {(
            [
              [null, "inherit"],
              [true, "on"],
              [false, "off"],
            ] as const
          ).map(([value, key]) => (
            <Menu.Item
              key={key}
              onClick={() => override.mutate(value)}
              leftSection={current === value ? <IconCheck size={14} /> : <span style={{ width: 14 }} />}
              data-testid={`receipts-override-${key}`}
            >
              {t(`receiptControls.override.${key}`)}
            </Menu.Item>
          ))}
        </>
      ) : null}
    </>
  );
}
