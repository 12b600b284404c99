import { Button, Group, Menu, Modal, Progress, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconCheck,
  IconChevronDown,
  IconMail,
  IconMailOpened,
  IconStar,
  IconStarOff,
  IconTrash,
  IconUserShare,
  IconX,
  IconZzz,
} from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data, post } from "../../api/client";
import { useUsers } from "../../api/queries";
import type { Answer, Body } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";
import type { BulkOperation } from "./inbox-tools-api";

type Action = Body<"/api/conversations/bulk", "post">["action"];

/**
 * Bulk actions on the selected conversations (R106). The server runs them in the background; the bar polls
 * the operation for progress, and the rows change through the realtime events each change sends.
 */
export function BulkBar({
  count,
  all,
  ids,
  filter,
  canDelete,
  onSelectAll,
  onClear,
  onFinished,
}: {
  count: number;
  all: boolean;
  ids: string[];
  filter: Record<string, string>;
  canDelete: boolean;
  onSelectAll: () => void;
  onClear: () => void;
  onFinished: () => void;
}) {
  const { t } = useTranslation();
  const users = useUsers();
  const [op, setOp] = useState<BulkOperation | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  useEffect(() => {
    if (op?.status !== "running") return;
    const timer = setTimeout(() => {
      data(client.GET("/api/bulk-operations/{id}", { params: { path: { id: op.id } } })).then(
        (r) => setOp(r.operation),
        () => setOp({ ...op }),
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [op]);
  useEffect(() => {
    if (!op || op.status === "running") return;
    notifications.show({
      color: op.failed ? "orange" : "green",
      message: [
        t("bulk.finished", { done: op.done, total: op.total }),
        op.failed ? t("bulk.failed", { count: op.failed }) : "",
      ]
        .filter(Boolean)
        .join(" · "),
    });
    setOp(null);
    onFinished();
  }, [op, onFinished, t]);

  // "Select all" sends the list's filters without its paging.
  const { limit: _l, cursor: _c, ...allFilter } = filter;
  const run = (action: Action, extra: Record<string, unknown> = {}) => {
    post<Answer<"/api/conversations/bulk", "post">>("/api/conversations/bulk", {
      action,
      ...(all ? { filter: allFilter } : { ids }),
      ...extra,
    }).then(
      (r) => setOp(r.operation),
      (err) => showErrorWithReason(t, err),
    );
  };
  const busy = op?.status === "running";
  // "Select all": the number the server would act on, asked before anything is confirmed.
  const matching = useQuery({
    queryKey: ["bulk-count", allFilter],
    queryFn: () =>
      post<Answer<"/api/conversations/bulk/count", "post">>("/api/conversations/bulk/count", {
        filter: allFilter,
      }),
    enabled: all,
  });
  const total = all ? (matching.data?.count ?? null) : count;
  const none = all ? total === 0 : count === 0;
  const allLabel =
    total === null
      ? t("bulk.allSelected")
      : matching.data?.more
        ? t("bulk.allFirst", { count: total })
        : t("bulk.allCount", { count: total });

  return (
    <Stack gap={6} px="md" py="xs" bg="indigo.0" data-testid="bulk-bar">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={600} data-testid="bulk-count">
          {all ? allLabel : t("bulk.selected", { count })}
        </Text>
        <Group gap={4} wrap="nowrap">
          {!all ? (
            <Button size="compact-xs" variant="subtle" onClick={onSelectAll} data-testid="bulk-select-all">
              {t("bulk.selectAll")}
            </Button>
          ) : null}
          <Button size="compact-xs" variant="subtle" color="gray" onClick={onClear} data-testid="bulk-clear">
            {t("bulk.clear")}
          </Button>
        </Group>
      </Group>
      {busy ? (
        <Stack gap={2} data-testid="bulk-progress">
          <Progress value={op.total ? ((op.done + op.failed) / op.total) * 100 : 0} size="sm" animated />
          <Text size="xs" c="dimmed">
            {t("bulk.running", { done: op.done + op.failed, total: op.total })}
          </Text>
        </Stack>
      ) : (
        <Group gap={6}>
          <Button
            size="compact-sm"
            leftSection={<IconCheck size={14} />}
            disabled={none}
            onClick={() => run("close")}
            data-testid="bulk-close"
          >
            {t("bulk.close")}
          </Button>
          <Menu position="bottom-start" withinPortal>
            <Menu.Target>
              <Button
                size="compact-sm"
                variant="light"
                leftSection={<IconUserShare size={14} />}
                rightSection={<IconChevronDown size={12} />}
                disabled={none}
                data-testid="bulk-reassign"
              >
                {t("bulk.reassign")}
              </Button>
            </Menu.Target>
            <Menu.Dropdown mah={300} style={{ overflowY: "auto" }}>
              <Menu.Label>{t("bulk.reassignTo")}</Menu.Label>
              {(users.data ?? [])
                .filter((u) => u.status === "active")
                .map((u) => (
                  <Menu.Item key={u.id} onClick={() => run("reassign", { assigneeId: u.id })}>
                    {u.name}
                  </Menu.Item>
                ))}
              <Menu.Divider />
              <Menu.Item onClick={() => run("reassign", { assigneeId: null })}>{t("bulk.queue")}</Menu.Item>
            </Menu.Dropdown>
          </Menu>
          <Button
            size="compact-sm"
            variant="light"
            leftSection={<IconMailOpened size={14} />}
            disabled={none}
            onClick={() => run("mark_read")}
            data-testid="bulk-mark-read"
          >
            {t("bulk.markRead")}
          </Button>
          <Button
            size="compact-sm"
            variant="light"
            leftSection={<IconMail size={14} />}
            disabled={none}
            onClick={() => run("mark_unread")}
            data-testid="bulk-mark-unread"
          >
            {t("bulk.markUnread")}
          </Button>
          <Button
            size="compact-sm"
            variant="light"
            leftSection={<IconStar size={14} />}
            disabled={none}
            onClick={() => run("mark_important")}
            data-testid="bulk-mark-important"
          >
            {t("importantSnooze.bulk.markImportant")}
          </Button>
          <Button
            size="compact-sm"
            variant="light"
            leftSection={<IconStarOff size={14} />}
            disabled={none}
            onClick={() => run("unmark_important")}
            data-testid="bulk-unmark-important"
          >
            {t("importantSnooze.bulk.unmarkImportant")}
          </Button>
          <Menu position="bottom-start" withinPortal>
            <Menu.Target>
              <Button
                size="compact-sm"
                variant="light"
                leftSection={<IconZzz size={14} />}
                rightSection={<IconChevronDown size={12} />}
                disabled={none}
                data-testid="bulk-snooze"
              >
                {t("importantSnooze.bulk.snooze")}
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {(["hour", "tomorrow", "next_week"] as const).map((preset) => (
                <Menu.Item
                  key={preset}
                  onClick={() =>
                    run("snooze", {
                      snooze: { preset, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
                    })
                  }
                  data-testid={`bulk-snooze-${preset}`}
                >
                  {t(`importantSnooze.snooze.${preset === "next_week" ? "nextWeek" : preset}`)}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          {canDelete ? (
            <Button
              size="compact-sm"
              variant="light"
              color="red"
              leftSection={<IconTrash size={14} />}
              disabled={none}
              onClick={() => setConfirmDelete(true)}
              data-testid="bulk-delete"
            >
              {t("bulk.delete")}
            </Button>
          ) : null}
        </Group>
      )}
      <Modal
        opened={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={t("bulk.deleteTitle")}
        centered
      >
        <Text size="sm" data-testid="bulk-delete-text">
          {total === null ? t("bulk.allSelected") : t("bulk.deleteConfirm", { count: total })}
        </Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" leftSection={<IconX size={14} />} onClick={() => setConfirmDelete(false)}>
            {t("bulk.cancel")}
          </Button>
          <Button
            color="red"
            data-testid="bulk-delete-confirm"
            onClick={() => {
              setConfirmDelete(false);
              run("delete");
            }}
          >
            {t("bulk.confirm")}
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
