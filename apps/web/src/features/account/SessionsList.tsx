import { Badge, Button, Group, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDeviceDesktop, IconDeviceMobile, IconDeviceTablet } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Answer } from "../../api/types";
import { fullDateTime } from "../../lib/format";
import { showError } from "../../lib/notify";

type SessionItem = Answer<"/api/me/sessions">["sessions"][number];

const deviceIcon = (s: SessionItem) =>
  s.device === "mobile" ? IconDeviceMobile : s.device === "tablet" ? IconDeviceTablet : IconDeviceDesktop;

const sessionsKey = (userId: string | null) => ["sessions", userId ?? "me"] as const;

/**
 * Signed-in devices with their browser, system, address and times; each can be signed out, and all the others
 * at once. Without `userId`: my own; with it: a person's, for admins.
 */
export function SessionsList({ userId = null }: { userId?: string | null }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const key = sessionsKey(userId);
  const list = useQuery({
    queryKey: key,
    queryFn: () =>
      userId
        ? data(client.GET("/api/users/{id}/sessions", { params: { path: { id: userId } } }))
        : data(client.GET("/api/me/sessions")),
  });
  const done = (r: { ended: number }) => {
    notifications.show({ color: "green", message: t("accountSecurity.sessions.ended", { count: r.ended }) });
    void qc.invalidateQueries({ queryKey: key });
  };
  const endOne = useMutation({
    mutationFn: (sessionId: string) =>
      userId
        ? data(
            client.DELETE("/api/users/{id}/sessions/{sessionId}", {
              params: { path: { id: userId, sessionId } },
            }),
          )
        : data(client.DELETE("/api/me/sessions/{sessionId}", { params: { path: { sessionId } } })),
    onSuccess: done,
    onError: (err) => showError(t, err),
  });
  const endRest = useMutation({
    mutationFn: () =>
      userId
        ? data(client.DELETE("/api/users/{id}/sessions", { params: { path: { id: userId } } }))
        : data(client.POST("/api/me/sessions/end-others")),
    onSuccess: done,
    onError: (err) => showError(t, err),
  });
  const sessions = list.data?.sessions ?? [];
  const others = sessions.filter((s) => !s.current);

  if (list.isSuccess && sessions.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t("accountSecurity.sessions.none")}
      </Text>
    );
  return (
    <Stack gap="sm" data-testid="sessions-list">
      {sessions.map((s) => {
        const DeviceIcon = deviceIcon(s);
        return (
          <Group
            key={s.id}
            justify="space-between"
            wrap="nowrap"
            align="flex-start"
            data-testid="session-row"
          >
            <Group gap="sm" wrap="nowrap" align="flex-start">
              <DeviceIcon
                size={22}
                aria-label={t(`accountSecurity.sessions.device.${s.device ?? "unknown"}`)}
              />
              <Stack gap={2}>
                <Group gap="xs">
                  <Text size="sm" fw={500}>
                    {s.browser ?? t("accountSecurity.sessions.unknownBrowser")} ·{" "}
                    {s.os ?? t("accountSecurity.sessions.unknownOs")}
                  </Text>
                  {s.current ? (
                    <Badge size="sm" variant="light" color="green">
                      {t("accountSecurity.sessions.thisDevice")}
                    </Badge>
                  ) : null}
                </Group>
                <Text size="xs" c="dimmed">
                  {t("accountSecurity.sessions.address")}: {s.ip ?? "—"} ·{" "}
                  {t("accountSecurity.sessions.created", { time: fullDateTime(s.createdAt, i18n.language) })}{" "}
                  ·{" "}
                  {t("accountSecurity.sessions.lastUsed", {
                    time: fullDateTime(s.lastSeenAt, i18n.language),
                  })}
                </Text>
              </Stack>
            </Group>
            {s.current ? null : (
              <Button
                size="compact-sm"
                variant="subtle"
                color="red"
                loading={endOne.isPending && endOne.variables === s.id}
                onClick={() => endOne.mutate(s.id)}
                data-testid="session-end"
              >
                {t("accountSecurity.sessions.end")}
              </Button>
            )}
          </Group>
        );
      })}
      {others.length > 0 ? (
        <Group>
          <Button
            variant="light"
            color="red"
            loading={endRest.isPending}
            onClick={() => endRest.mutate()}
            data-testid="sessions-end-rest"
          >
            {userId ? t("accountSecurity.sessions.endAll") : t("accountSecurity.sessions.endOthers")}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
