import { ActionIcon, Button, Group, Paper, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { HoursInput } from "./hours-api";

/** Rows carry a stable key `k` for React while they are edited; it is dropped when saved. */
type Interval = HoursInput["weekly"][number] & { k: number };
type Holiday = NonNullable<HoursInput["holidays"]>[number] & { k: number };
let nextKey = 0;
const keyed = <T,>(x: T) => ({ ...x, k: ++nextKey });
const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** Browsers' ICU still lists some zones by their old names: show the current IANA name instead. */
const RENAMED: Record<string, string> = {
  "Europe/Kiev": "Europe/Kyiv",
  "America/Godthab": "America/Nuuk",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
};

const zones = (current: string): string[] => {
  const all = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  const names = new Set(["UTC", ...all.map((z) => RENAMED[z] ?? z), current]);
  return [...names].sort();
};

/** The weekly grid (several intervals per weekday), the time zone and the holidays of one schedule. */
export function ScheduleEditor({
  initial,
  busy,
  onSave,
  onClear,
  clearLabel,
}: {
  initial: HoursInput | null;
  busy: boolean;
  onSave: (h: HoursInput) => void;
  onClear: (() => void) | null;
  clearLabel: string;
}) {
  const { t } = useTranslation();
  const [timeZone, setTimeZone] = useState<string>(() => {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
    return initial?.timeZone ?? RENAMED[browser] ?? browser;
  });
  const zoneList = useMemo(() => zones(timeZone), [timeZone]);
  const [weekly, setWeekly] = useState<Interval[]>(
    (initial?.weekly ?? [1, 2, 3, 4, 5].map((day) => ({ day, from: "09:00", to: "18:00" }))).map(keyed),
  );
  const [holidays, setHolidays] = useState<Holiday[]>((initial?.holidays ?? []).map(keyed));
  const setAt = (i: number, patch: Partial<Interval>) =>
    setWeekly((w) => w.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  return (
    <Stack gap="md" data-testid="hours-editor">
      <Select
        label={t("hours.timeZone")}
        data={zoneList}
        value={timeZone}
        onChange={(v) => v && setTimeZone(v)}
        searchable
        maw={360}
        data-testid="hours-time-zone"
      />
      <Paper withBorder radius="md" p="md">
        <Title order={5} mb="xs">
          {t("hours.weekly")}
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          {t("hours.weeklyHint")}
        </Text>
        <Stack gap="xs">
          {DAYS.map((day) => (
            <Group key={day} align="center" gap="xs" data-testid={`hours-day-${day}`}>
              <Text w={110} size="sm" fw={500}>
                {t(`hours.days.d${day}`)}
              </Text>
              {weekly.every((w) => w.day !== day) ? (
                <Text size="sm" c="dimmed" w={120}>
                  {t("hours.closed")}
                </Text>
              ) : null}
              {weekly.map((w, i) =>
                w.day === day ? (
                  <Group key={w.k} gap={4} wrap="nowrap">
                    <TextInput
                      type="time"
                      size="xs"
                      value={w.from}
                      aria-label={t("hours.from")}
                      onChange={(e) => setAt(i, { from: e.currentTarget.value })}
                    />
                    <Text size="xs">–</Text>
                    <TextInput
                      type="time"
                      size="xs"
                      value={w.to === "24:00" ? "00:00" : w.to}
                      aria-label={t("hours.to")}
                      onChange={(e) => setAt(i, { to: e.currentTarget.value })}
                    />
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t("hours.removeInterval")}
                      onClick={() => setWeekly((ws) => ws.filter((_, j) => j !== i))}
                    >
                      <IconTrash size={14} />
                    </ActionIcon>
                  </Group>
                ) : null,
              )}
              <ActionIcon
                variant="light"
                aria-label={t("hours.addInterval")}
                data-testid={`hours-add-${day}`}
                onClick={() => setWeekly((ws) => [...ws, keyed({ day, from: "09:00", to: "18:00" })])}
              >
                <IconPlus size={14} />
              </ActionIcon>
            </Group>
          ))}
        </Stack>
      </Paper>
      <Paper withBorder radius="md" p="md">
        <Group justify="space-between" mb="xs">
          <Title order={5}>{t("hours.holidays")}</Title>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} />}
            data-testid="hours-add-holiday"
            onClick={() => setHolidays((h) => [...h, keyed({ date: "", name: null })])}
          >
            {t("hours.addHoliday")}
          </Button>
        </Group>
        {holidays.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("hours.noHolidays")}
          </Text>
        ) : null}
        <Stack gap="xs">
          {holidays.map((h, i) => (
            <Group key={h.k} gap="xs" data-testid="hours-holiday">
              <TextInput
                type="date"
                size="xs"
                aria-label={t("hours.date")}
                value={h.date}
                onChange={(e) => {
                  const date = e.currentTarget.value;
                  setHolidays((hs) => hs.map((x, j) => (j === i ? { ...x, date } : x)));
                }}
              />
              <TextInput
                size="xs"
                placeholder={t("hours.holidayName")}
                aria-label={t("hours.holidayName")}
                value={h.name ?? ""}
                onChange={(e) => {
                  const name = e.currentTarget.value || null;
                  setHolidays((hs) => hs.map((x, j) => (j === i ? { ...x, name } : x)));
                }}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t("hours.removeHoliday")}
                onClick={() => setHolidays((hs) => hs.filter((_, j) => j !== i))}
              >
                <IconTrash size={14} />
              </ActionIcon>
            </Group>
          ))}
        </Stack>
      </Paper>
      <Group>
        <Button
          loading={busy}
          data-testid="hours-save"
          onClick={() =>
            onSave({
              timeZone,
              weekly: weekly.map(({ k: _, ...w }) => w),
              holidays: holidays.filter((h) => h.date).map(({ k: _, ...h }) => h),
            })
          }
        >
          {t("hours.save")}
        </Button>
        {onClear ? (
          <Button variant="subtle" color="gray" onClick={onClear} disabled={busy} data-testid="hours-clear">
            {clearLabel}
          </Button>
        ) : null}
      </Group>
    </Stack>
  );
}
