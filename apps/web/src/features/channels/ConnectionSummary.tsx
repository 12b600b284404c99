import { Badge, Group, Stack, Text } from "@mantine/core";
import { IconAlertCircle } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { Connection } from "../../api/channels";
import { fullDateTime } from "../../lib/format";

/** A connection's name, type and state, its health (last webhook, last error) and what the channel reports. */
export function ConnectionSummary({ c }: { c: Connection }) {
  const { t, i18n } = useTranslation();
  const h = c.health;
  const when = (iso: string) => fullDateTime(iso, i18n.language);
  return (
    <Stack gap={4} style={{ minWidth: 0 }}>
      <Group gap="xs" wrap="nowrap">
        <Text fw={700} truncate data-testid="connection-name">
          {c.name}
        </Text>
        <Badge variant="light" color="gray" size="sm" tt="none">
          {t(`channels.types.${c.type}`)}
        </Badge>
        {!c.enabled ? (
          <Badge variant="light" color="orange" size="sm" tt="none">
            {t("channels.disabled")}
          </Badge>
        ) : null}
      </Group>
      <Text size="xs" c="dimmed" data-testid="connection-health">
        {h.lastWebhookAt
          ? t("channels.health.lastWebhook", { time: when(h.lastWebhookAt) })
          : t("channels.health.noWebhook")}
      </Text>
      {h.lastError ? (
        <Group gap={6} wrap="nowrap" align="flex-start">
          <IconAlertCircle
            size={14}
            color="var(--mantine-color-red-6)"
            style={{ flexShrink: 0, marginTop: 2 }}
          />
          <Text size="xs" c="red.7">
            {t("channels.health.lastError", {
              time: h.lastErrorAt ? when(h.lastErrorAt) : "—",
              error: h.lastError,
            })}{" "}
            · {t("channels.health.errors", { count: h.errorCount })}
          </Text>
        </Group>
      ) : h.errorCount > 0 ? (
        <Text size="xs" c="red.7">
          {t("channels.health.errors", { count: h.errorCount })}
        </Text>
      ) : null}
      <Group gap={6} mt={2}>
        <Badge size="xs" variant="dot" color={c.capabilities.reportsDelivered ? "teal" : "gray"} tt="none">
          {c.capabilities.reportsDelivered
            ? t("channels.capabilities.delivered")
            : t("channels.capabilities.noDelivered")}
        </Badge>
        <Badge size="xs" variant="dot" color={c.capabilities.reportsRead ? "teal" : "gray"} tt="none">
          {c.capabilities.reportsRead ? t("channels.capabilities.read") : t("channels.capabilities.noRead")}
        </Badge>
        {c.settings.humanAgentTag === true ? (
          <Badge size="xs" variant="dot" color="blue" tt="none">
            {t("channelForms.fields.humanAgentTag")}
          </Badge>
        ) : null}
      </Group>
    </Stack>
  );
}
