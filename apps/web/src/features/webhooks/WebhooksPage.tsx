import {
  Alert,
  Badge,
  Button,
  Center,
  Code,
  Group,
  Loader,
  Modal,
  Paper,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { PageShell } from "../layout/AppHeader";
import { DeliveryLog } from "./DeliveryLog";
import { type EndpointDraft, EndpointModal } from "./EndpointModal";
import {
  useCreateEndpoint,
  useDeleteEndpoint,
  useEndpoints,
  useRevealSecret,
  useSendTest,
  useUpdateEndpoint,
  type WebhookEndpoint,
} from "./webhooks-api";

/** Settings → Webhooks (`api.manage`): endpoints subscribed to the workspace's events, and their delivery logs. */
export default function WebhooksPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const allowed = session.permissions.includes("api.manage");
  const endpoints = useEndpoints();
  const [editing, setEditing] = useState<WebhookEndpoint | "new" | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useCreateEndpoint((r) => {
    setEditing(null);
    setSecret(r.secret);
  });
  const update = useUpdateEndpoint(() => setEditing(null));
  const save = (draft: EndpointDraft) =>
    editing === "new" ? create.mutate(draft) : editing && update.mutate({ id: editing.id, body: draft });

  return (
    <PageShell session={session}>
      <Group justify="space-between" align="flex-end" mb="lg">
        <div>
          <Title order={2}>{t("webhooks.title")}</Title>
          <Text c="dimmed" size="sm">
            {t("webhooks.subtitle")}
          </Text>
        </div>
        {allowed ? (
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => setEditing("new")}
            data-testid="webhook-add"
          >
            {t("webhooks.add")}
          </Button>
        ) : null}
      </Group>
      {!allowed ? (
        <Alert color="gray" variant="light">
          {t("webhooks.forbidden")}
        </Alert>
      ) : endpoints.isError ? (
        <Alert color="red" variant="light">
          {errorText(t, endpoints.error)}
        </Alert>
      ) : !endpoints.data ? (
        <Center py="xl">
          <Loader size="sm" />
        </Center>
      ) : endpoints.data.endpoints.length === 0 ? (
        <Paper withBorder radius="md" p="xl" data-testid="webhooks-empty">
          <Text ta="center" c="dimmed">
            {t("webhooks.empty")}
          </Text>
        </Paper>
      ) : (
        <Stack gap="md">
          {endpoints.data.endpoints.map((e) => (
            <EndpointCard key={e.id} endpoint={e} onEdit={() => setEditing(e)} onSecret={setSecret} />
          ))}
        </Stack>
      )}
      <EndpointModal
        opened={editing !== null}
        initial={editing && editing !== "new" ? editing : null}
        eventTypes={endpoints.data?.eventTypes ?? []}
        busy={create.isPending || update.isPending}
        onClose={() => setEditing(null)}
        onSave={save}
      />
      <Modal
        opened={secret !== null}
        onClose={() => setSecret(null)}
        title={t("webhooks.secretTitle")}
        size="lg"
      >
        <Stack>
          <Text size="sm">{t("webhooks.secretHint")}</Text>
          <Code block data-testid="webhook-secret">
            {secret}
          </Code>
          <Group justify="flex-end">
            <Button onClick={() => setSecret(null)}>{t("webhooks.done")}</Button>
          </Group>
        </Stack>
      </Modal>
    </PageShell>
  );
}

function EndpointCard({
  endpoint: e,
  onEdit,
  onSecret,
}: {
  endpoint: WebhookEndpoint;
  onEdit: () => void;
  onSecret: (s: string) => void;
}) {
  const { t } = useTranslation();
  const [showLog, setShowLog] = useState(false);
  const update = useUpdateEndpoint();
  const remove = useDeleteEndpoint();
  const reveal = useRevealSecret(onSecret);
  const test = useSendTest();
  return (
    <Paper withBorder radius="md" p="md" data-testid="webhook-endpoint">
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <div style={{ minWidth: 0 }}>
            <Text fw={600} truncate data-testid="webhook-endpoint-url">
              {e.url}
            </Text>
            {e.description ? (
              <Text size="sm" c="dimmed">
                {e.description}
              </Text>
            ) : null}
          </div>
          <Badge color={e.active ? "green" : e.disabledReason === "failing" ? "red" : "gray"}>
            {e.active ? t("webhooks.active") : t(`webhooks.disabled.${e.disabledReason ?? "manual"}`)}
          </Badge>
        </Group>
        <Group gap={4}>
          {e.events.map((ev) => (
            <Badge key={ev} variant="outline" size="sm">
              {ev}
            </Badge>
          ))}
        </Group>
        {e.failingSince ? (
          <Text size="xs" c="red">
            {t("webhooks.failingSince", { time: new Date(e.failingSince).toLocaleString() })}
          </Text>
        ) : null}
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={onEdit} data-testid="webhook-edit">
            {t("webhooks.edit")}
          </Button>
          <Button
            size="xs"
            variant="default"
            loading={update.isPending}
            onClick={() => update.mutate({ id: e.id, body: { active: !e.active } })}
            data-testid="webhook-toggle"
          >
            {e.active ? t("webhooks.disable") : t("webhooks.enable")}
          </Button>
          <Button size="xs" variant="default" loading={reveal.isPending} onClick={() => reveal.mutate(e.id)}>
            {t("webhooks.reveal")}
          </Button>
          <Button
            size="xs"
            variant="default"
            loading={test.isPending}
            onClick={() => test.mutate(e.id)}
            data-testid="webhook-test"
          >
            {t("webhooks.sendTest")}
          </Button>
          <Button size="xs" variant="subtle" onClick={() => setShowLog((v) => !v)} data-testid="webhook-log">
            {showLog ? t("webhooks.hideLog") : t("webhooks.showLog")}
          </Button>
          <Button
            size="xs"
            color="red"
            variant="subtle"
            loading={remove.isPending}
            onClick={() => {
              if (window.confirm(t("webhooks.confirmDelete", { url: e.url }))) remove.mutate(e.id);
            }}
          >
            {t("webhooks.delete")}
          </Button>
        </Group>
        {showLog ? <DeliveryLog endpointId={e.id} /> : null}
      </Stack>
    </Paper>
  );
}
