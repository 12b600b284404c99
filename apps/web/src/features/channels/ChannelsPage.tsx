import { Alert, Button, Center, Group, Loader, Paper, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { IconPlugConnected, IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useConnections } from "../../api/channels";
import type { Session } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { ConnectionCard } from "./ConnectionCard";
import { ConnectModal } from "./ConnectModal";

/** Settings → Channels (owners and admins): the workspace's connections, their health, and their set-up. */
export function ChannelsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [connecting, setConnecting] = useState(false);
  const connections = useConnections();
  const admin = can(session, "channels.manage");

  return (
    <PageShell session={session}>
      <Group justify="space-between" align="flex-end" mb="lg">
        <div>
          <Title order={2}>{t("channels.title")}</Title>
          <Text c="dimmed" size="sm">
            {t("channels.subtitle")}
          </Text>
        </div>
        {admin ? (
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => setConnecting(true)}
            data-testid="connect-channel"
          >
            {t("channels.connect")}
          </Button>
        ) : null}
      </Group>
      {!admin ? (
        <Alert color="gray" variant="light">
          {t("channels.forbidden")}
        </Alert>
      ) : connections.isError ? (
        <Alert color="red" variant="light">
          {errorText(t, connections.error)}
        </Alert>
      ) : !connections.data ? (
        <Center py="xl">
          <Loader size="sm" />
        </Center>
      ) : connections.data.length === 0 ? (
        <Paper withBorder radius="md" p="xl" data-testid="channels-empty">
          <Stack align="center" gap={6}>
            <ThemeIcon size={48} radius="xl" variant="light">
              <IconPlugConnected size={26} />
            </ThemeIcon>
            <Text fw={600}>{t("channels.empty")}</Text>
            <Text size="sm" c="dimmed">
              {t("channels.emptyHint")}
            </Text>
          </Stack>
        </Paper>
      ) : (
        <Stack gap="md">
          {connections.data.map((c) => (
            <ConnectionCard key={c.id} c={c} />
          ))}
        </Stack>
      )}
      <ConnectModal opened={connecting} onClose={() => setConnecting(false)} />
    </PageShell>
  );
}
