import { notifications } from "@mantine/notifications";
import type { Task } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import i18n from "../../i18n";

/** A task's reminder time came (the `task.reminder` event, for its assignee): a toast that stays until closed. */
export function showReminder(qc: QueryClient, task: Task) {
  notifications.show({
    id: `reminder-${task.id}`,
    color: "orange",
    autoClose: false,
    title: i18n.t(`convTools.tasks.reminderTitle.${task.kind}`),
    message: task.title,
    // Marks the toast for browser tests and assistive technology.
    "data-testid": "reminder-toast",
  } as Parameters<typeof notifications.show>[0]);
  void qc.invalidateQueries({ queryKey: ["tasks"] });
}
