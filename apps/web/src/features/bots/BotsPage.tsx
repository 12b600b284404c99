import {
  Alert,
  Button,
  Center,
  Code,
  Group,
  Loader,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { type BotDraft, BotModal } from "./BotModal";
import {
  type BotCredentials,
  type BotSettings,
  useBotReport,
  useBotSettings,
  useCreateBot,
  useDeleteBot,
  useRenewBot,
  useUpdateBot,
} from "./bots-api";

/** Settings → Bots (`automation.manage`): the workspace's bots, their credentials once, and what they handled. */
export default function BotsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const allowed = can(session, "automation.manage");
  const bots = useBotSettings();
  const report = useBotReport(can(session, "reports.view"));
  const [editing, setEditing] = useState<BotSettings | "new" | null>(null);
  const [creds, setCreds] = useState<BotCredentials | null>(null);
  const create = useCreateBot((r) => {
    setEditing(null);
    setCreds(r);
  });
  const update = useUpdateBot(() => setEditing(null));
  const remove = useDeleteBot();
  const renew = useRenewBot(setCreds);
  const save = (d: BotDraft) => {
    const body = {
      ...d,
      name: d.name.trim(),
      webhookUrl: d.webhookUrl.trim(),
      avatarUrl: d.avatarUrl.trim() || null,
    };
    if (editing === "new") create.mutate(body);
    else if (editing) update.mutate({ id: editing.id, body });
  };
  const stats = new Map((report.data?.bots ?? []).map((r) => [r.botId, r]));

  return (
    <PageShell session={session}>
      <Group justify="space-between" align="flex-end" mb="lg">
        <div>
          <Title order={2}>{t("bots.title")}</Title>
          <Text c="dimmed" size="sm">
            {t("bots.subtitle")}
          </Text>
        </div>
        {allowed ? (
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => setEditing("new")}
            data-testid="bot-add"
          >
            {t("bots.add")}
          </Button>
        ) : null}
      </Group>
      {!allowed ? (
        <Alert color="gray" variant="light">
          {t("bots.forbidden")}
        </Alert>
      ) : bots.isError ? (
        <Alert color="red" variant="light">
          {errorText(t, bots.error)}
        </Alert>
      ) : !bots.data ? (
        <Center py="xl">
          <Loader size="sm" />
        </Center>
      ) : bots.data.bots.length === 0 ? (
        <Paper withBorder radius="md" p="xl">
          <Text ta="center" c="dimmed">
            {t("bots.empty")}
          </Text>
        </Paper>
      ) : (
        <Paper withBorder radius="md">
          <Table data-testid="bots-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("bots.name")}</Table.Th>
                <Table.Th>{t("bots.webhookUrl")}</Table.Th>
                <Table.Th>{t("bots.handled")}</Table.Th>
                <Table.Th>{t("bots.resolved")}</Table.Th>
                <Table.Th>{t("bots.handedOver")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {bots.data.bots.map((b) => {
                const s = stats.get(b.id);
                return (
                  <Table.Tr key={b.id} data-testid="bot-row">
                    <Table.Td fw={600}>{b.name}</Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate maw={280}>
                        {b.webhookUrl}
                      </Text>
                    </Table.Td>
                    <Table.Td>{s?.handled ?? "—"}</Table.Td>
                    <Table.Td>{s?.resolved ?? "—"}</Table.Td>
                    <Table.Td>
                      {s
                        ? `${s.handedOver} (${(["api", "keyword", "timeout", "agent"] as const)
                            .filter((r) => s.byReason[r] > 0)
                            .map((r) => `${t(`bots.reasons.${r}`)}: ${s.byReason[r]}`)
                            .join(", ")})`
                        : "—"}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Button size="xs" variant="default" onClick={() => setEditing(b)}>
                          {t("bots.edit")}
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          loading={renew.isPending}
                          onClick={() => renew.mutate(b.id)}
                        >
                          {t("bots.renew")}
                        </Button>
                        <Button
                          size="xs"
                          color="red"
                          variant="subtle"
                          loading={remove.isPending}
                          onClick={() => remove.mutate(b.id)}
                        >
                          {t("bots.delete")}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed" p="xs">
            {t("bots.reportTitle")}
          </Text>
        </Paper>
      )}
      <BotModal
        opened={editing !== null}
        initial={editing && editing !== "new" ? editing : null}
        busy={create.isPending || update.isPending}
        onClose={() => setEditing(null)}
        onSave={save}
      />
      <Modal opened={creds !== null} onClose={() => setCreds(null)} title={t("bots.secretsTitle")} size="lg">
        <Stack>
          <Text size="sm">{t("bots.secretsHelp")}</Text>
          <Text size="sm" fw={600}>
            {t("bots.token")}
          </Text>
          <Code block data-testid="bot-token">
            {creds?.token}
          </Code>
          <Text size="sm" fw={600}>
            {t("bots.signingSecret")}
          </Text>
          <Code block data-testid="bot-signing-secret">
            {creds?.signingSecret}
          </Code>
          <Group justify="flex-end">
            <Button onClick={() => setCreds(null)}>{t("bots.done")}</Button>
          </Group>
        </Stack>
      </Modal>
    </PageShell>
  );
}
