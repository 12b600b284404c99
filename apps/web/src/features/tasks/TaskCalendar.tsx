import {
  ActionIcon,
  Box,
  Button,
  Group,
  Paper,
  Popover,
  SimpleGrid,
  Stack,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import {
  IconBell,
  IconCalendarEvent,
  IconChecklist,
  IconChevronLeft,
  IconChevronRight,
} from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { client, data } from "../../api/client";
import { errorText } from "../../lib/errors";
import {
  type CalendarItem,
  type CalendarView,
  calendarDays,
  dayKeyOf,
  firstDayOfWeek,
  periodOf,
  placeItems,
  step,
} from "./calendar";

const MONTH_CELL_ITEMS = 3;
const COLORS = { task: "indigo", event: "violet", reminder: "orange" } as const;

/**
 * The tasks page's calendar: a month or a week of my tasks by due day, events on the days they run and
 * reminders on the day they ring. Clicking an item of a conversation opens it. On a phone the same days are
 * an agenda (only days with something on them). Built from Mantine's layout parts and dayjs; the server
 * answers the period's tasks in one request (`GET /api/tasks?from=…&to=…&status=all`).
 */
export function TaskCalendar({
  view,
  anchor,
  onAnchor,
}: {
  view: CalendarView;
  anchor: Date;
  onAnchor: (d: Date) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const phone = useMediaQuery("(max-width: 48em)") ?? false;
  const days = calendarDays(view, anchor, firstDayOfWeek(lang));
  const period = periodOf(days);
  const tasks = useQuery({
    queryKey: ["tasks", "calendar", period.from, period.to],
    queryFn: () =>
      data(client.GET("/api/tasks", { params: { query: { ...period, status: "all", limit: 500 } } })).then(
        (r) => r.tasks,
      ),
  });
  const placed = placeItems(tasks.data ?? [], days);
  const title =
    view === "month"
      ? new Intl.DateTimeFormat(lang, { month: "long", year: "numeric" }).format(anchor)
      : new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric" }).formatRange(
          days[0]!,
          days.at(-1)!,
        );
  const today = dayKeyOf(new Date());
  const month = anchor.getMonth();

  return (
    <Stack gap="sm" data-testid="task-calendar" data-view={view} data-from={period.from}>
      <Group justify="space-between" wrap="nowrap">
        <Group gap={4} wrap="nowrap">
          <ActionIcon
            variant="default"
            onClick={() => onAnchor(step(view, anchor, -1))}
            aria-label={t(`agentDay2.calendar.previous.${view}`)}
            data-testid="calendar-previous"
          >
            <IconChevronLeft size={16} />
          </ActionIcon>
          <Button
            variant="default"
            size="xs"
            onClick={() => onAnchor(new Date())}
            data-testid="calendar-today"
          >
            {t("agentDay2.calendar.today")}
          </Button>
          <ActionIcon
            variant="default"
            onClick={() => onAnchor(step(view, anchor, 1))}
            aria-label={t(`agentDay2.calendar.next.${view}`)}
            data-testid="calendar-next"
          >
            <IconChevronRight size={16} />
          </ActionIcon>
        </Group>
        <Text fw={700} tt="capitalize" aria-live="polite" data-testid="calendar-title" ta="right">
          {title}
        </Text>
      </Group>
      {tasks.isError ? <Text c="red">{errorText(t, tasks.error)}</Text> : null}
      {phone ? (
        <Agenda days={days} placed={placed} today={today} loaded={tasks.isSuccess} />
      ) : (
        <Box>
          <SimpleGrid cols={7} spacing={0} aria-hidden>
            {days.slice(0, 7).map((d) => (
              <Text key={dayKeyOf(d)} size="xs" fw={600} c="dimmed" ta="center" py={4} tt="capitalize">
                {new Intl.DateTimeFormat(lang, { weekday: "short" }).format(d)}
              </Text>
            ))}
          </SimpleGrid>
          <SimpleGrid
            cols={7}
            spacing={0}
            style={{
              borderTop: "1px solid var(--mantine-color-gray-3)",
              borderLeft: "1px solid var(--mantine-color-gray-3)",
            }}
          >
            {days.map((d) => {
              const key = dayKeyOf(d);
              const items = placed.get(key) ?? [];
              const shown = view === "month" ? items.slice(0, MONTH_CELL_ITEMS) : items;
              return (
                <Box
                  key={key}
                  role="group"
                  aria-label={longDay(d, lang)}
                  p={4}
                  mih={view === "month" ? 104 : 320}
                  bg={view === "month" && d.getMonth() !== month ? "gray.0" : "white"}
                  style={{
                    borderRight: "1px solid var(--mantine-color-gray-3)",
                    borderBottom: "1px solid var(--mantine-color-gray-3)",
                    minWidth: 0,
                  }}
                  data-testid={`calendar-day-${key}`}
                  data-count={items.length}
                >
                  <Text
                    size="xs"
                    fw={key === today ? 700 : 500}
                    c={
                      key === today
                        ? "indigo.8"
                        : d.getMonth() !== month && view === "month"
                          ? "gray.7"
                          : "dark"
                    }
                    mb={2}
                    aria-current={key === today ? "date" : undefined}
                  >
                    {d.getDate()}
                  </Text>
                  <Stack gap={2} component="ul" m={0} p={0} style={{ listStyle: "none" }}>
                    {shown.map((item) => (
                      <li key={`${item.task.id}-${item.what}`}>
                        <Item item={item} />
                      </li>
                    ))}
                  </Stack>
                  {items.length > shown.length ? (
                    <More day={d} items={items} hidden={items.length - shown.length} />
                  ) : null}
                </Box>
              );
            })}
          </SimpleGrid>
        </Box>
      )}
    </Stack>
  );
}

const longDay = (d: Date, lang: string) =>
  new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long" }).format(d);

/** On a phone: the days that have something, each with its items in full width. */
function Agenda({
  days,
  placed,
  today,
  loaded,
}: {
  days: Date[];
  placed: Map<string, CalendarItem[]>;
  today: string;
  loaded: boolean;
}) {
  const { t, i18n } = useTranslation();
  const busy = days.filter((d) => (placed.get(dayKeyOf(d)) ?? []).length > 0);
  if (loaded && !busy.length)
    return (
      <Text c="dimmed" data-testid="calendar-empty">
        {t("agentDay2.calendar.empty")}
      </Text>
    );
  return (
    <Stack gap="sm">
      {busy.map((d) => {
        const key = dayKeyOf(d);
        return (
          <Box
            key={key}
            role="group"
            aria-label={longDay(d, i18n.language)}
            data-testid={`calendar-day-${key}`}
          >
            <Text size="sm" fw={700} tt="capitalize" c={key === today ? "indigo.8" : undefined} mb={4}>
              {longDay(d, i18n.language)}
            </Text>
            <Stack gap={4} component="ul" m={0} p={0} style={{ listStyle: "none" }}>
              {(placed.get(key) ?? []).map((item) => (
                <li key={`${item.task.id}-${item.what}`}>
                  <Item item={item} wide />
                </li>
              ))}
            </Stack>
          </Box>
        );
      })}
    </Stack>
  );
}

/** "+2 more": the rest of a crowded month day in a popover. */
function More({ day, items, hidden }: { day: Date; items: CalendarItem[]; hidden: number }) {
  const { t, i18n } = useTranslation();
  return (
    <Popover withinPortal position="bottom" shadow="md" width={260}>
      <Popover.Target>
        <UnstyledButton fz="xs" c="indigo.8" px={4} data-testid="calendar-more">
          {t("agentDay2.calendar.more", { count: hidden })}
        </UnstyledButton>
      </Popover.Target>
      <Popover.Dropdown aria-label={longDay(day, i18n.language)}>
        <Stack gap={4}>
          {items.map((item) => (
            <Item key={`${item.task.id}-${item.what}`} item={item} wide />
          ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

const kindOf = (item: CalendarItem) => (item.what === "reminder" ? "reminder" : item.task.kind);

/** One task, event or reminder: its time, icon and title; a button to its conversation when it has one. */
function Item({ item, wide = false }: { item: CalendarItem; wide?: boolean }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const kind = kindOf(item);
  const color = COLORS[kind];
  const Icon = kind === "reminder" ? IconBell : kind === "event" ? IconCalendarEvent : IconChecklist;
  const time = item.at
    ? new Intl.DateTimeFormat(i18n.language, { hour: "2-digit", minute: "2-digit" }).format(item.at)
    : t("agentDay2.calendar.allDay");
  const label = `${t(`agentDay2.calendar.kind.${kind}`)}, ${time}: ${item.task.title}`;
  // The accessible name is the visible text with the kind before it and where a click leads after it.
  const body = (
    <Group gap={4} wrap="nowrap" px={4} py={wide ? 4 : 1}>
      <VisuallyHidden>{`${t(`agentDay2.calendar.kind.${kind}`)}, `}</VisuallyHidden>
      <Icon size={12} color={`var(--mantine-color-${color}-8)`} aria-hidden style={{ flexShrink: 0 }} />
      <Text size="xs" c="dark" fw={600} style={{ flexShrink: 0 }}>
        {time}
      </Text>
      <Text size="xs" c="dark" truncate={!wide} td={item.task.doneAt ? "line-through" : undefined}>
        {item.task.title}
      </Text>
      {item.task.conversationId ? (
        <VisuallyHidden>{` — ${t("agentDay2.calendar.open")}`}</VisuallyHidden>
      ) : null}
    </Group>
  );
  const common = {
    "data-testid": "calendar-item",
    "data-task-id": item.task.id,
    "data-kind": kind,
    style: {
      display: "block",
      width: "100%",
      borderRadius: 4,
      borderLeft: `3px solid var(--mantine-color-${color}-7)`,
      background: `var(--mantine-color-${color}-0)`,
    },
  } as const;
  if (!item.task.conversationId)
    return (
      <Paper {...common} title={label}>
        {body}
      </Paper>
    );
  return (
    <UnstyledButton {...common} onClick={() => navigate(`/inbox/${item.task.conversationId}?view=all`)}>
      {body}
    </UnstyledButton>
  );
}
