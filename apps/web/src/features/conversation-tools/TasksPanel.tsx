import { Stack, Text } from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { get } from "../../api/client";
import type { Answer } from "../../api/types";
import { errorText } from "../../lib/errors";
import { TaskForm } from "./TaskForm";
import { TaskRow, useTaskMutations } from "./TaskRow";

/** The conversation's tasks (R212): a form for a new one and the list, done ones included. */
export function TasksPanel({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const tasks = useQuery({
    queryKey: ["tasks", "conversation", conversation.id],
    queryFn: () =>
      get<Answer<"/api/tasks">>(`/api/tasks?conversationId=${conversation.id}&status=all`).then(
        (r) => r.tasks,
      ),
  });
  const invalidate = () => {
    void qc.invalidateQueries({ queryKey: ["tasks"] });
  };
  const { toggle, remove } = useTaskMutations(invalidate);
  return (
    <Stack gap="xs">
      <TaskForm conversationId={conversation.id} onCreated={invalidate} />
      {(tasks.data ?? []).map((task) => (
        <TaskRow
          key={task.id}
          task={task}
          onToggle={() => toggle.mutate(task)}
          onRemove={() => remove.mutate(task)}
        />
      ))}
      {tasks.isError ? (
        <Text size="xs" c="red">
          {errorText(t, tasks.error)}
        </Text>
      ) : null}
    </Stack>
  );
}
