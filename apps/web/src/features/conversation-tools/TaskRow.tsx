import { ActionIcon, Badge, Box, Checkbox, Group, Paper, Text } from "@mantine/core";
import type { Task } from "@parley/protocol";
import { IconX } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { del, patch } from "../../api/client";
import { fullDateTime } from "../../lib/format";
import { showErrorWithReason } from "../../lib/notify";

/** Ticking a task done (or not) and deleting it; `invalidate` refreshes the lists that show it. */
export const useTaskMutations = (invalidate: () => void) => {
  const { t } = useTranslation();
  const toggle = useMutation({
    mutationFn: (task: Task) => patch(`/api/tasks/${task.id}`, { done: !task.doneAt }),
    onSuccess: invalidate,
    onError: (err) => showErrorWithReason(t, err),
  });
  const remove = useMutation({
    mutationFn: (task: Task) => del(`/api/tasks/${task.id}`),
    onSuccess: invalidate,
    onError: (err) => showErrorWithReason(t, err),
  });
  return { toggle, remove };
};

/** One task, event or reminder with its times, a box to tick it done and a button to delete it. */
export function TaskRow({
  task,
  onToggle,
  onRemove,
  extra,
}: {
  task: Task;
  onToggle: () => void;
  onRemove: () => void;
  extra?: ReactNode;
}) {
  const { t, i18n } = useTranslation();
  return (
    <Paper withBorder px="xs" py={6} data-testid="task">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Checkbox
          size="xs"
          checked={!!task.doneAt}
          onChange={onToggle}
          aria-label={t("convTools.tasks.done")}
          label={
            <Box>
              <Group gap={6}>
                <Badge size="xs" variant="light" tt="none">
                  {t(`convTools.tasks.kind.${task.kind}`)}
                </Badge>
                <Text size="sm" td={task.doneAt ? "line-through" : undefined} data-testid="task-title">
                  {task.title}
                </Text>
              </Group>
              {task.dueAt ? (
                <Text size="xs" c="dimmed">
                  {fullDateTime(task.dueAt, i18n.language)}
                  {task.endsAt ? ` – ${fullDateTime(task.endsAt, i18n.language)}` : ""}
                </Text>
              ) : null}
              {task.remindAt && task.kind !== "reminder" ? (
                <Text size="xs" c="dimmed">
                  {t("convTools.tasks.remindAt")}: {fullDateTime(task.remindAt, i18n.language)}
                </Text>
              ) : null}
              {extra}
            </Box>
          }
        />
        <ActionIcon
          size="sm"
          variant="subtle"
          color="gray"
          onClick={onRemove}
          aria-label={t("convTools.tasks.delete")}
        >
          <IconX size={14} />
        </ActionIcon>
      </Group>
    </Paper>
  );
}
