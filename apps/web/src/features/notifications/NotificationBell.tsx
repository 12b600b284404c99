import {
  ActionIcon,
  Button,
  Group,
  Indicator,
  Popover,
  ScrollArea,
  SegmentedControl,
  Stack,
  Text,
  UnstyledButton,
} from "@mantine/core";
import type { AgentNotification } from "@parley/protocol";
import { IconBell, IconBellOff, IconSettings } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { post, put } from "../../api/client";
import type { Answer } from "../../api/types";
import { notifyKeys, useNotifications } from "./api";
import { markBellRead } from "./bell-list";
import { notificationTitle } from "./live";

/**
 * The notification centre: a bell with the unread count, the latest notifications (all, or only the unread
 * ones), mark one or all read.
 */
export function NotificationBell() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState<"all" | "unread">("all");
  const list = useNotifications();
  const unread = list.data?.pages[0]?.unread ?? 0;

  return (
    // The count badge sits outside the popover's target: the target (the button) carries the popup's ARIA.
    <Indicator
      label={unread > 99 ? "99+" : unread}
      size={16}
      color="red.9"
      disabled={unread === 0}
      offset={4}
    >
      <Popover opened={open} onChange={setOpen} position="bottom-end" width={360} shadow="md">
        <Popover.Target>
          <ActionIcon
            variant="subtle"
            size="lg"
            aria-label={t("notify.bellCount", { count: unread })}
            title={t("notify.bell")}
            data-testid="notification-bell"
            data-count={unread}
            onClick={() => setOpen((o) => !o)}
          >
            <IconBell size={20} />
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p={0}>
          {/* Drawn only while the dropdown is (Mantine mounts a closed popover's dropdown on opening). */}
          <NotificationList filter={filter} setFilter={setFilter} onClose={() => setOpen(false)} />
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}

/**
 * The open notification centre's content. It is its own component, drawn only while the centre is open,
 * because it navigates: a component that navigates is drawn again on every change of address (opening
 * another conversation), which the bell in the header need not be.
 */
function NotificationList({
  filter,
  setFilter,
  onClose,
}: {
  filter: "all" | "unread";
  setFilter: (f: "all" | "unread") => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const list = useNotifications();
  const unread = list.data?.pages[0]?.unread ?? 0;
  const loaded = list.data?.pages.flatMap((p) => p.notifications) ?? [];
  const items = filter === "unread" ? loaded.filter((n) => !n.readAt) : loaded;

  const setRead = (ids: string[] | "all", count: number) => markBellRead(qc, ids, count);
  const markAll = async () => {
    const r = await post<Answer<"/api/notifications/read", "post">>("/api/notifications/read", { all: true });
    setRead("all", r.unread);
  };
  const openOne = async (n: AgentNotification) => {
    onClose();
    if (!n.readAt) {
      const r = await post<Answer<"/api/notifications/read", "post">>("/api/notifications/read", {
        ids: [n.id],
      });
      setRead([n.id], r.unread);
    }
    if (n.conversationId) navigate(`/inbox/${n.conversationId}`);
    else if (n.kind === "delivery_failed") navigate("/settings/notifications");
    else if (n.kind === "channel_problem") navigate("/settings/receipts?tab=diagnostics");
    else if (n.kind === "security_alert") navigate("/settings/alerts");
  };
  const mute = async (conversationId: string) => {
    await put(`/api/conversations/${conversationId}/mute`, { muted: true });
    await qc.invalidateQueries({ queryKey: notifyKeys.settings });
  };
  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: "short", timeStyle: "short" });

  return (
    <>
      <Group justify="space-between" p="sm">
        <Text fw={600}>{t("notify.bell")}</Text>
        <Group gap={4}>
          <Button size="compact-xs" variant="subtle" onClick={markAll} disabled={unread === 0}>
            {t("notify.markAllRead")}
          </Button>
          <ActionIcon
            variant="subtle"
            component={Link}
            to="/settings/notifications"
            aria-label={t("notify.settingsLink")}
            onClick={onClose}
          >
            <IconSettings size={16} />
          </ActionIcon>
        </Group>
      </Group>
      <SegmentedControl
        size="xs"
        mx="sm"
        mb="xs"
        value={filter}
        onChange={(v) => setFilter(v === "unread" ? "unread" : "all")}
        data={[
          { value: "all", label: t("agentDay.bellAll") },
          { value: "unread", label: t("agentDay.bellUnread") },
        ]}
        data-testid="notification-filter"
      />
      <ScrollArea.Autosize mah={420}>
        {items.length === 0 ? (
          <Text c="dimmed" size="sm" p="sm">
            {filter === "unread" && loaded.length ? t("agentDay.bellNoUnread") : t("notify.empty")}
          </Text>
        ) : (
          <Stack gap={0} data-testid="notification-list">
            {items.map((n) => (
              <UnstyledButton
                key={n.id}
                onClick={() => void openOne(n)}
                p="sm"
                style={{
                  borderTop: "1px solid var(--mantine-color-gray-2)",
                  background: n.readAt ? undefined : "var(--mantine-color-blue-0)",
                }}
              >
                <Text size="sm" fw={n.readAt ? 400 : 600} lineClamp={1}>
                  {notificationTitle(n)}
                </Text>
                {n.body ? (
                  <Text size="sm" c="dimmed" lineClamp={2}>
                    {n.body}
                  </Text>
                ) : null}
                <Group justify="space-between" gap={4}>
                  <Text size="xs" c="dimmed">
                    {time.format(new Date(n.createdAt))}
                  </Text>
                  {n.conversationId ? (
                    <ActionIcon
                      component="span"
                      size="xs"
                      variant="subtle"
                      color="gray"
                      aria-label={t("notify.mute")}
                      title={t("notify.mute")}
                      onClick={(e: React.MouseEvent) => {
                        e.stopPropagation();
                        if (n.conversationId) void mute(n.conversationId);
                      }}
                    >
                      <IconBellOff size={12} />
                    </ActionIcon>
                  ) : null}
                </Group>
              </UnstyledButton>
            ))}
            {list.hasNextPage ? (
              <Button
                variant="subtle"
                size="xs"
                onClick={() => void list.fetchNextPage({ cancelRefetch: false })}
              >
                {t("notify.loadMore")}
              </Button>
            ) : null}
          </Stack>
        )}
      </ScrollArea.Autosize>
    </>
  );
}
