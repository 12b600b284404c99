import { Anchor, CloseButton, Group, Paper, Progress, Stack, Text, ThemeIcon } from "@mantine/core";
import { IconCheck, IconCircleDashed } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ParseKeys } from "i18next";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { client } from "../../api/client";
import type { Session } from "../../api/queries";
import { showError } from "../../lib/notify";
import { can } from "../../lib/permissions";
import { hasSettingsPage } from "./pages";
import { navKeys, useFirstRun } from "./views-api";

/** Working hours' settings page: the step shows when the person may open it. */
const HOURS_PATH = "/settings/hours";

interface Step {
  key: string;
  label: ParseKeys;
  hint: ParseKeys;
  to: string;
  done: boolean | null;
  extra?: { to: string; label: ParseKeys };
}

/**
 * The first-run checklist above the inbox list, for those who set the workspace up: what is done comes
 * from the server (real data), and it goes away when all is done or the person hides it.
 */
export function FirstRunChecklist({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const admin = can(session, "channels.manage");
  const state = useFirstRun(admin);
  const dismiss = useMutation({
    mutationFn: () => client.POST("/api/first-run/dismiss"),
    onSuccess: () => void qc.invalidateQueries({ queryKey: navKeys.firstRun }),
    onError: (err) => showError(t, err),
  });
  if (!admin || !state.data?.show) return null;
  const s = state.data.steps;
  const steps: Step[] = [
    {
      key: "channel",
      label: "navigation.firstRun.channel",
      hint: "navigation.firstRun.channelHint",
      to: "/settings/channels",
      done: s.channel,
      extra: { to: "/settings/widget", label: "navigation.firstRun.widget" },
    },
    {
      key: "team",
      label: "navigation.firstRun.team",
      hint: "navigation.firstRun.teamHint",
      to: "/settings/users",
      done: s.team,
    },
    ...(hasSettingsPage(HOURS_PATH)
      ? [
          {
            key: "hours",
            label: "navigation.firstRun.hours",
            hint: "navigation.firstRun.hoursHint",
            to: HOURS_PATH,
            done: s.hours,
          } satisfies Step,
        ]
      : []),
    {
      key: "testMessage",
      label: "navigation.firstRun.testMessage",
      hint: "navigation.firstRun.testMessageHint",
      to: "/settings/widget",
      done: s.testMessage,
    },
  ];
  const counted = steps.filter((x) => x.done !== null);
  const done = counted.filter((x) => x.done).length;
  return (
    <Paper
      withBorder
      m="xs"
      p="sm"
      radius="md"
      data-testid="first-run"
      component="section"
      aria-labelledby="first-run-title"
    >
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <div>
          <Text fw={700} id="first-run-title" component="h2" size="sm" m={0}>
            {t("navigation.firstRun.title")}
          </Text>
          <Text size="xs" c="dimmed">
            {t("navigation.firstRun.subtitle")}
          </Text>
        </div>
        <CloseButton
          size="sm"
          aria-label={t("navigation.firstRun.dismiss")}
          onClick={() => dismiss.mutate()}
          data-testid="first-run-dismiss"
        />
      </Group>
      <Progress
        value={(done / counted.length) * 100}
        size="sm"
        my="xs"
        aria-label={t("navigation.firstRun.progress", { done, total: counted.length })}
      />
      <Stack gap={6} component="ol" p={0} m={0} style={{ listStyle: "none" }}>
        {steps.map((step) => (
          <Group
            key={step.key}
            component="li"
            gap="xs"
            wrap="nowrap"
            align="flex-start"
            data-testid={`first-run-${step.key}`}
            data-done={step.done ? "true" : undefined}
          >
            <ThemeIcon
              size={20}
              radius="xl"
              variant={step.done ? "filled" : "light"}
              color={step.done ? "teal" : "gray"}
              role="img"
              aria-label={step.done ? t("navigation.firstRun.done") : t("navigation.firstRun.todo")}
            >
              {step.done ? <IconCheck size={12} /> : <IconCircleDashed size={12} />}
            </ThemeIcon>
            <div style={{ minWidth: 0 }}>
              <Anchor
                component={Link}
                to={step.to}
                size="sm"
                fw={600}
                td={step.done ? "line-through" : undefined}
              >
                {t(step.label)}
              </Anchor>
              <Text size="xs" c="dimmed">
                {t(step.hint)}
                {step.extra && !step.done ? (
                  <>
                    {" "}
                    <Anchor component={Link} to={step.extra.to} size="xs">
                      {t(step.extra.label)}
                    </Anchor>
                  </>
                ) : null}
              </Text>
            </div>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
