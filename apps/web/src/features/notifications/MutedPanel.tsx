import { Anchor, Button, Group, Paper, Stack, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { put } from "../../api/client";
import { notifyKeys } from "./api";

/** The conversations the agent muted, each with a way to unmute it. */
export function MutedPanel({ ids }: { ids: string[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const unmute = async (id: string) => {
    await put(`/api/conversations/${id}/mute`, { muted: false });
    await qc.invalidateQueries({ queryKey: notifyKeys.settings });
  };
  return (
    <Paper withBorder p="md">
      <Text fw={600} mb="xs">
        {t("notify.settings.muted", { count: ids.length })}
      </Text>
      <Stack gap={4}>
        {ids.map((id) => (
          <Group key={id} gap="sm">
            <Anchor component={Link} to={`/inbox/${id}`} size="sm" ff="monospace">
              {id.slice(0, 8)}
            </Anchor>
            <Button size="compact-xs" variant="subtle" onClick={() => void unmute(id)}>
              {t("notify.settings.unmute")}
            </Button>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
