import { Anchor, Center, Group, Loader, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { IconChecklist } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { client, data } from "../../api/client";
import type { Session } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { TaskRow, useTaskMutations } from "../conversation-tools/SidePanel";
import { PageShell } from "../layout/AppHeader";

/** "My tasks" (R212): the tasks, events and reminders assigned to me, open ones by due time. */
export function TasksPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [status, setStatus] = useState<"open" | "done">("open");
  const tasks = useQuery({
    queryKey: ["tasks", "mine", status],
    queryFn: () => data(client.GET("/api/tasks", { params: { query: { status } } })).then((r) => r.tasks),
  });
  const { toggle, remove } = useTaskMutations(() => void qc.invalidateQueries({ queryKey: ["tasks"] }));
  return (
    <PageShell session={session}>
      <Stack maw={720} mx="auto" p="lg" data-testid="tasks-page">
        <Group justify="space-between">
          <Group gap="xs">
            <IconChecklist size={24} />
            <Title order={3}>{t("convTools.tasks.page")}</Title>
          </Group>
          <SegmentedControl
            size="xs"
            value={status}
            onChange={(v) => setStatus(v as "open" | "done")}
            data={[
              { value: "open", label: t("convTools.tasks.open") },
              { value: "done", label: t("convTools.tasks.doneList") },
            ]}
          />
        </Group>
        {tasks.isPending ? (
          <Center>
            <Loader size="sm" />
          </Center>
        ) : tasks.isError ? (
          <Text c="red">{errorText(t, tasks.error)}</Text>
        ) : !tasks.data.length ? (
          <Text c="dimmed">{t("convTools.tasks.empty")}</Text>
        ) : (
          tasks.data.map((task) => (
            <TaskRow
              key={task.id}
              task={task}
              onToggle={() => toggle.mutate(task)}
              onRemove={() => remove.mutate(task)}
              extra={
                task.conversationId ? (
                  <Anchor component={Link} to={`/inbox/${task.conversationId}?view=all`} size="xs">
                    {t("convTools.tasks.openConversation")}
                  </Anchor>
                ) : null
              }
            />
          ))
        )}
      </Stack>
    </PageShell>
  );
}
