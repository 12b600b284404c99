import { ActionIcon, Button, Group, Menu, Modal, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Conversation } from "@parley/protocol";
import {
  IconAlarm,
  IconCalendarEvent,
  IconChevronDown,
  IconClockHour4,
  IconStar,
  IconStarFilled,
  IconSunrise,
  IconZzz,
} from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { useLazyMenu, useLazyTooltip } from "../../components/lazy-popups";
import { showError } from "../../lib/notify";
import { useApplied } from "./applied";

/** When a snooze ends, short: the weekday, day, month and time in the agent's language. */
export const snoozeTime = (iso: string, lang: string) =>
  new Intl.DateTimeFormat(lang, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));

/** The agent's time zone, for "tomorrow" and "next week" when the workspace has no business hours. */
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The star: marks the conversation important for the whole team, or takes the mark off (a real button). */
export function StarToggle({ c, me, size = "md" }: { c: Conversation; me: string; size?: "sm" | "md" }) {
  const { t } = useTranslation();
  const applied = useApplied(c.id, me);
  const important = !!c.important;
  const toggle = useMutation({
    mutationFn: () =>
      data(
        client.PUT("/api/conversations/{id}/important", {
          params: { path: { id: c.id } },
          body: { important: !important },
        }),
      ),
    onSuccess: applied,
    onError: (err) => showError(t, err),
  });
  const label = important ? t("importantSnooze.unstar") : t("importantSnooze.star");
  const tip = useLazyTooltip(label);
  return (
    <ActionIcon
      variant="subtle"
      color={important ? "yellow" : "gray"}
      size={size}
      aria-label={label}
      aria-pressed={important}
      disabled={!c.permissions?.changeStatus || toggle.isPending}
      onClick={(e) => {
        e.preventDefault();
        e.stopPropagation();
        toggle.mutate();
      }}
      data-testid="star-toggle"
      data-important={important}
      {...tip.targetProps}
    >
      {important ? (
        <IconStarFilled size={size === "sm" ? 14 : 16} />
      ) : (
        <IconStar size={size === "sm" ? 14 : 16} />
      )}
      {tip.tooltip}
    </ActionIcon>
  );
}

type SnoozeBody = { until: string } | { preset: "hour" | "tomorrow" | "next_week"; timeZone: string };

/**
 * Snoozing from the conversation header: presets (in an hour, tomorrow morning, next week: the server works
 * them out against the business hours, else the agent's time zone) or a chosen date and time; while snoozed,
 * the button names the wake time and offers to end the snooze now.
 */
export function SnoozeControl({
  c,
  me,
  compact = false,
}: {
  c: Conversation;
  me: string;
  compact?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const applied = useApplied(c.id, me);
  const [picking, setPicking] = useState(false);
  const [value, setValue] = useState("");
  const snooze = useMutation({
    mutationFn: (body: SnoozeBody) =>
      data(client.PUT("/api/conversations/{id}/snooze", { params: { path: { id: c.id } }, body })),
    onSuccess: (r) => {
      applied(r);
      setPicking(false);
      if (r.conversation.snoozedUntil)
        notifications.show({
          message: t("importantSnooze.snooze.done", {
            time: snoozeTime(r.conversation.snoozedUntil, i18n.language),
          }),
        });
    },
    onError: (err) => showError(t, err),
  });
  const wake = useMutation({
    mutationFn: () =>
      data(client.DELETE("/api/conversations/{id}/snooze", { params: { path: { id: c.id } } })),
    onSuccess: applied,
    onError: (err) => showError(t, err),
  });
  const allowed = !!c.permissions?.changeStatus && c.status !== "closed";
  const preset = (p: "hour" | "tomorrow" | "next_week") =>
    snooze.mutate({ preset: p, timeZone: browserZone() });
  const label = c.snoozedUntil
    ? t("importantSnooze.snooze.until", { time: snoozeTime(c.snoozedUntil, i18n.language) })
    : t("importantSnooze.snooze.button");
  const menu = useLazyMenu();
  const dropdown = menu.menu(
    <>
      <Menu.Label>{t("importantSnooze.snooze.menuTitle")}</Menu.Label>
      <Menu.Item
        leftSection={<IconClockHour4 size={14} />}
        onClick={() => preset("hour")}
        data-testid="snooze-hour"
      >
        {t("importantSnooze.snooze.hour")}
      </Menu.Item>
      <Menu.Item
        leftSection={<IconSunrise size={14} />}
        onClick={() => preset("tomorrow")}
        data-testid="snooze-tomorrow"
      >
        {t("importantSnooze.snooze.tomorrow")}
      </Menu.Item>
      <Menu.Item
        leftSection={<IconCalendarEvent size={14} />}
        onClick={() => preset("next_week")}
        data-testid="snooze-next-week"
      >
        {t("importantSnooze.snooze.nextWeek")}
      </Menu.Item>
      <Menu.Item
        leftSection={<IconAlarm size={14} />}
        onClick={() => setPicking(true)}
        data-testid="snooze-pick"
      >
        {t("importantSnooze.snooze.pick")}
      </Menu.Item>
      {c.snoozedUntil ? (
        <>
          <Menu.Divider />
          <Menu.Item onClick={() => wake.mutate()} data-testid="unsnooze">
            {t("importantSnooze.snooze.unsnooze")}
          </Menu.Item>
        </>
      ) : null}
      <Menu.Divider />
      <Text size="xs" c="dimmed" px="sm" py={4} maw={240}>
        {t("importantSnooze.snooze.hoursHint")}
      </Text>
    </>,
    { "data-testid": "snooze-menu" },
  );
  return (
    <>
      {compact ? (
        <ActionIcon
          variant={c.snoozedUntil ? "light" : "default"}
          size="md"
          aria-label={label}
          disabled={!allowed}
          data-testid="snooze-button"
          {...menu.targetProps}
        >
          <IconZzz size={16} />
          {dropdown}
        </ActionIcon>
      ) : (
        <Button
          variant={c.snoozedUntil ? "light" : "default"}
          size="xs"
          leftSection={<IconZzz size={16} />}
          rightSection={<IconChevronDown size={14} aria-hidden />}
          disabled={!allowed}
          loading={snooze.isPending || wake.isPending}
          data-testid="snooze-button"
          {...menu.targetProps}
        >
          {label}
          {dropdown}
        </Button>
      )}
      {/* Reached from the menu only: mounted once it has been opened. */}
      {menu.mounted ? (
        <Modal
          opened={picking}
          onClose={() => setPicking(false)}
          title={t("importantSnooze.snooze.pickTitle")}
        >
          <form
            onSubmit={(e) => {
              e.preventDefault();
              // A local date and time from the browser's own picker: the instant it names here.
              if (value) snooze.mutate({ until: new Date(value).toISOString() });
            }}
          >
            <Stack>
              <TextInput
                type="datetime-local"
                label={t("importantSnooze.snooze.pickLabel")}
                value={value}
                onChange={(e) => setValue(e.currentTarget.value)}
                required
                data-autofocus
                data-testid="snooze-at"
              />
              <Group justify="flex-end">
                <Button type="submit" loading={snooze.isPending} data-testid="snooze-confirm">
                  {t("importantSnooze.snooze.confirm")}
                </Button>
              </Group>
            </Stack>
          </form>
        </Modal>
      ) : null}
    </>
  );
}

/**
 * The narrow header's form: the star and the snooze presets as items of the conversation's menu, so the
 * contact's name keeps its room (the chosen date and time is in the wide header's snooze menu).
 */
export function ImportantSnoozeMenuItems({ c, me }: { c: Conversation; me: string }) {
  const { t } = useTranslation();
  const applied = useApplied(c.id, me);
  const onError = (err: unknown) => showError(t, err);
  const star = useMutation({
    mutationFn: () =>
      data(
        client.PUT("/api/conversations/{id}/important", {
          params: { path: { id: c.id } },
          body: { important: !c.important },
        }),
      ),
    onSuccess: applied,
    onError,
  });
  const snooze = useMutation({
    mutationFn: (preset: "hour" | "tomorrow" | "next_week") =>
      data(
        client.PUT("/api/conversations/{id}/snooze", {
          params: { path: { id: c.id } },
          body: { preset, timeZone: browserZone() },
        }),
      ),
    onSuccess: applied,
    onError,
  });
  const wake = useMutation({
    mutationFn: () =>
      data(client.DELETE("/api/conversations/{id}/snooze", { params: { path: { id: c.id } } })),
    onSuccess: applied,
    onError,
  });
  if (!c.permissions?.changeStatus) return null;
  return (
    <>
      <Menu.Item
        leftSection={c.important ? <IconStarFilled size={14} /> : <IconStar size={14} />}
        onClick={() => star.mutate()}
        data-testid="menu-star"
      >
        {c.important ? t("importantSnooze.unstar") : t("importantSnooze.star")}
      </Menu.Item>
      {c.status !== "closed" ? (
        <>
          <Menu.Label>{t("importantSnooze.snooze.menuTitle")}</Menu.Label>
          <Menu.Item leftSection={<IconClockHour4 size={14} />} onClick={() => snooze.mutate("hour")}>
            {t("importantSnooze.snooze.hour")}
          </Menu.Item>
          <Menu.Item leftSection={<IconSunrise size={14} />} onClick={() => snooze.mutate("tomorrow")}>
            {t("importantSnooze.snooze.tomorrow")}
          </Menu.Item>
          <Menu.Item leftSection={<IconCalendarEvent size={14} />} onClick={() => snooze.mutate("next_week")}>
            {t("importantSnooze.snooze.nextWeek")}
          </Menu.Item>
          {c.snoozedUntil ? (
            <Menu.Item
              leftSection={<IconZzz size={14} />}
              onClick={() => wake.mutate()}
              data-testid="menu-unsnooze"
            >
              {t("importantSnooze.snooze.unsnooze")}
            </Menu.Item>
          ) : null}
        </>
      ) : null}
    </>
  );
}
