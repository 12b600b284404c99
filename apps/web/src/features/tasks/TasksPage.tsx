import { Anchor, Center, Group, Loader, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { IconChecklist } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { client, data } from "../../api/client";
import type { Session } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { TaskRow, useTaskMutations } from "../conversation-tools/SidePanel";
import { PageShell } from "../layout/AppHeader";
import type { CalendarView } from "./calendar";
import { TaskCalendar } from "./TaskCalendar";

type PageView = "list" | CalendarView;
const VIEWS: PageView[] = ["list", "month", "week"];

/**
 * "My tasks" (R212): the tasks, events and reminders assigned to me, as a list (open ones by due time) or a
 * month or week calendar with the reminders among them. The view and the day shown are in the address
 * (`/tasks?view=month&date=2031-03-01`), so a calendar can be bookmarked.
 */
export function TasksPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const view = (VIEWS.includes(params.get("view") as PageView) ? params.get("view") : "list") as PageView;
  const date = params.get("date");
  const anchor = date && dayjs(date).isValid() ? dayjs(date).toDate() : new Date();
  const go = (next: { view?: PageView; date?: Date }) =>
    setParams(
      (cur) => {
        const p = new URLSearchParams(cur);
        if (next.view) p.set("view", next.view);
        if (next.date) p.set("date", dayjs(next.date).format("YYYY-MM-DD"));
        return p;
      },
      { replace: true },
    );
  return (
    <PageShell session={session}>
      <Stack maw={view === "list" ? 720 : 1200} mx="auto" p="lg" data-testid="tasks-page">
        <Group justify="space-between">
          <Group gap="xs">
            <IconChecklist size={24} />
            <Title order={3}>{t("convTools.tasks.page")}</Title>
          </Group>
          <SegmentedControl
            size="xs"
            value={view}
            onChange={(v) => go({ view: v as PageView })}
            aria-label={t("agentDay2.calendar.view")}
            data-testid="tasks-view"
            data={VIEWS.map((v) => ({ value: v, label: t(`agentDay2.calendar.views.${v}`) }))}
          />
        </Group>
        {view === "list" ? (
          <TaskList />
        ) : (
          <TaskCalendar view={view} anchor={anchor} onAnchor={(d) => go({ date: d })} />
        )}
      </Stack>
    </PageShell>
  );
}

function TaskList() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [status, setStatus] = useState<"open" | "done">("open");
  const tasks = useQuery({
    queryKey: ["tasks", "mine", status],
    queryFn: () => data(client.GET("/api/tasks", { params: { query: { status } } })).then((r) => r.tasks),
  });
  const { toggle, remove } = useTaskMutations(() => void qc.invalidateQueries({ queryKey: ["tasks"] }));
  return (
    <>
      <Group justify="flex-end">
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
    </>
  );
}
