import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Center,
  Collapse,
  Group,
  Loader,
  Menu,
  Modal,
  Paper,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  ThemeIcon,
  Title,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconAlertCircle,
  IconDots,
  IconKey,
  IconPencil,
  IconPlugConnected,
  IconPlus,
  IconRefresh,
  IconSettings,
  IconTemplate,
  IconTrash,
} from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  type Connection,
  channelKeys,
  type Template,
  useConnections,
  useTemplates,
} from "../../api/channels";
import { del, patch, post, put } from "../../api/client";
import type { Session } from "../../api/queries";
import { errorText, errorWithReason } from "../../lib/errors";
import { fullDateTime } from "../../lib/format";
import { ChannelIcon } from "../inbox/ChannelIcon";
import { isAdminRole, PageShell } from "../layout/AppHeader";
import { ChannelFields } from "./ChannelForm";
import { ConnectModal, RevealPanel } from "./ConnectModal";
import {
  CHANNEL_FORMS,
  type FieldDef,
  type FormValues,
  fieldErrors,
  initialValues,
  isConnectable,
  toPayload,
} from "./channelForms";

/** Settings → Channels (owners and admins): the workspace's connections, their health, and their set-up. */
export function ChannelsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [connecting, setConnecting] = useState(false);
  const connections = useConnections();
  const admin = isAdminRole(session.user.role);

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

type Dialog = "rename" | "credentials" | "settings" | "rotate" | "delete" | null;

function ConnectionCard({ c }: { c: Connection }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [reveal, setReveal] = useState<Record<string, string> | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: channelKeys.connections });
  const onError = (err: unknown) => notifications.show({ color: "red", message: errorWithReason(t, err) });

  const toggle = useMutation({
    mutationFn: (enabled: boolean) => patch(`/api/connections/${c.id}`, { enabled }),
    onSuccess: refresh,
    onError,
  });
  const rotate = useMutation({
    mutationFn: () => post<{ reveal: Record<string, string> }>(`/api/connections/${c.id}/rotate-secret`),
    onSuccess: (r) => {
      setDialog(null);
      setReveal(r.reveal);
      void refresh();
    },
    onError,
  });
  const remove = useMutation({
    mutationFn: () => del(`/api/connections/${c.id}`),
    onSuccess: () => {
      setDialog(null);
      notifications.show({ color: "teal", message: t("channels.deleted") });
      void refresh();
    },
    onError,
  });

  const fields = isConnectable(c.type) ? CHANNEL_FORMS[c.type] : [];
  const credentialFields = fields.filter((f) => f.group === "credentials");
  const settingFields = fields.filter((f) => f.group === "settings");
  const h = c.health;
  const when = (iso: string) => fullDateTime(iso, i18n.language);
  const isWhatsApp = c.type === "whatsapp";

  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      data-testid="connection"
      data-connection-id={c.id}
      data-type={c.type}
    >
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Group wrap="nowrap" align="flex-start" style={{ minWidth: 0 }}>
          <ThemeIcon size={44} radius="md" variant="light" color="gray">
            <ChannelIcon type={c.type} size={26} />
          </ThemeIcon>
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
              <Badge
                size="xs"
                variant="dot"
                color={c.capabilities.reportsDelivered ? "teal" : "gray"}
                tt="none"
              >
                {c.capabilities.reportsDelivered
                  ? t("channels.capabilities.delivered")
                  : t("channels.capabilities.noDelivered")}
              </Badge>
              <Badge size="xs" variant="dot" color={c.capabilities.reportsRead ? "teal" : "gray"} tt="none">
                {c.capabilities.reportsRead
                  ? t("channels.capabilities.read")
                  : t("channels.capabilities.noRead")}
              </Badge>
              {c.settings.humanAgentTag === true ? (
                <Badge size="xs" variant="dot" color="blue" tt="none">
                  {t("channels.fields.humanAgentTag")}
                </Badge>
              ) : null}
            </Group>
          </Stack>
        </Group>
        <Group gap="xs" wrap="nowrap">
          {isWhatsApp ? (
            <Button
              size="xs"
              variant="light"
              leftSection={<IconTemplate size={14} />}
              onClick={() => setTemplatesOpen((o) => !o)}
              data-testid="toggle-templates"
            >
              {t("channels.templates.title")}
            </Button>
          ) : null}
          <Tooltip label={c.enabled ? t("channels.enabledHint") : t("channels.disabledHint")}>
            <Switch
              checked={c.enabled}
              disabled={toggle.isPending}
              onChange={(e) => toggle.mutate(e.currentTarget.checked)}
              aria-label={t("channels.enabled")}
              data-testid="connection-enabled"
            />
          </Tooltip>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={t("channels.actions.menu")}
                data-testid="connection-menu"
              >
                <IconDots size={18} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item leftSection={<IconPencil size={14} />} onClick={() => setDialog("rename")}>
                {t("channels.actions.rename")}
              </Menu.Item>
              {settingFields.length ? (
                <Menu.Item leftSection={<IconSettings size={14} />} onClick={() => setDialog("settings")}>
                  {t("channels.actions.settings")}
                </Menu.Item>
              ) : null}
              {credentialFields.length ? (
                <Menu.Item leftSection={<IconKey size={14} />} onClick={() => setDialog("credentials")}>
                  {t("channels.actions.credentials")}
                </Menu.Item>
              ) : null}
              <Menu.Item leftSection={<IconRefresh size={14} />} onClick={() => setDialog("rotate")}>
                {t("channels.actions.rotate")}
              </Menu.Item>
              <Menu.Divider />
              <Menu.Item
                color="red"
                leftSection={<IconTrash size={14} />}
                onClick={() => setDialog("delete")}
              >
                {t("channels.actions.delete")}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>
      {isWhatsApp ? (
        <Collapse expanded={templatesOpen}>
          {templatesOpen ? <TemplatesPanel connectionId={c.id} /> : null}
        </Collapse>
      ) : null}

      <RenameModal c={c} opened={dialog === "rename"} onClose={() => setDialog(null)} />
      <FieldsModal
        c={c}
        mode="settings"
        fields={settingFields}
        opened={dialog === "settings"}
        onClose={() => setDialog(null)}
        onReveal={setReveal}
      />
      <FieldsModal
        c={c}
        mode="credentials"
        fields={credentialFields}
        opened={dialog === "credentials"}
        onClose={() => setDialog(null)}
        onReveal={setReveal}
      />
      <Confirm
        opened={dialog === "rotate"}
        title={t("channels.rotate.title")}
        body={t("channels.rotate.body")}
        confirm={t("channels.rotate.confirm")}
        color="orange"
        loading={rotate.isPending}
        onConfirm={() => rotate.mutate()}
        onClose={() => setDialog(null)}
      />
      <Confirm
        opened={dialog === "delete"}
        title={t("channels.delete.title")}
        body={t("channels.delete.body", { name: c.name })}
        confirm={t("channels.delete.confirm")}
        color="red"
        loading={remove.isPending}
        onConfirm={() => remove.mutate()}
        onClose={() => setDialog(null)}
      />
      <Modal
        opened={reveal !== null}
        onClose={() => setReveal(null)}
        title={t("channels.reveal.newTitle")}
        size="lg"
      >
        {reveal ? (
          <Stack>
            <RevealPanel reveal={reveal} />
            <Group justify="flex-end">
              <Button onClick={() => setReveal(null)}>{t("channels.reveal.done")}</Button>
            </Group>
          </Stack>
        ) : null}
      </Modal>
    </Paper>
  );
}

function Confirm(p: {
  opened: boolean;
  title: string;
  body: string;
  confirm: string;
  color: string;
  loading: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={p.opened} onClose={p.onClose} title={p.title}>
      <Text size="sm">{p.body}</Text>
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={p.onClose}>
          {t("channels.form.cancel")}
        </Button>
        <Button color={p.color} loading={p.loading} onClick={p.onConfirm} data-testid="confirm">
          {p.confirm}
        </Button>
      </Group>
    </Modal>
  );
}

function RenameModal({ c, opened, onClose }: { c: Connection; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(c.name);
  const save = useMutation({
    mutationFn: () => patch(`/api/connections/${c.id}`, { name: name.trim() }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: channelKeys.connections });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t("channels.actions.rename")}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t("channels.form.name")}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={save.error ? errorWithReason(t, save.error) : undefined}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
              {t("channels.form.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Settings (PATCH) or new credentials (PUT, checked with the provider) of a connection. */
function FieldsModal({
  c,
  mode,
  fields,
  opened,
  onClose,
  onReveal,
}: {
  c: Connection;
  mode: "settings" | "credentials";
  fields: FieldDef[];
  opened: boolean;
  onClose: () => void;
  onReveal: (r: Record<string, string>) => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const fromSettings = (): FormValues => {
    const v = initialValues(fields);
    for (const f of fields) {
      const s = c.settings[f.key];
      if (s !== undefined && s !== null) v[f.key] = typeof s === "boolean" ? s : String(s);
    }
    return v;
  };
  const [values, setValues] = useState<FormValues>(() =>
    mode === "settings" ? fromSettings() : initialValues(fields),
  );
  const save = useMutation({
    mutationFn: async () => {
      const payload = toPayload(fields, values);
      if (mode === "settings") {
        await patch(`/api/connections/${c.id}`, { settings: { ...c.settings, ...payload.settings } });
        return null;
      }
      return put<{ reveal: Record<string, string> }>(
        `/api/connections/${c.id}/credentials`,
        payload.credentials,
      );
    },
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: channelKeys.connections });
      notifications.show({ color: "teal", message: t("channels.saved") });
      onClose();
      if (r && Object.keys(r.reveal).length) onReveal(r.reveal);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={mode === "settings" ? t("channels.actions.settings") : t("channels.actions.credentials")}
      size="lg"
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {mode === "credentials" ? (
            <Text size="sm" c="dimmed">
              {t("channels.form.credentialsHint")}
            </Text>
          ) : null}
          <ChannelFields
            fields={fields}
            values={values}
            errors={save.error ? fieldErrors(save.error, fields) : {}}
            onChange={(k, v) => setValues((cur) => ({ ...cur, [k]: v }))}
            keepEmpty={mode === "credentials"}
          />
          {save.error ? (
            <Alert color="red" variant="light">
              {errorWithReason(t, save.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("channels.form.cancel")}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {mode === "credentials" ? t("channels.form.checkAndSave") : t("channels.form.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

const STATUS_COLOR: Record<string, string> = {
  APPROVED: "teal",
  PENDING: "yellow",
  REJECTED: "red",
  PAUSED: "orange",
  DISABLED: "gray",
};

/** WhatsApp: sync the business account's templates and list them with their status and variables. */
function TemplatesPanel({ connectionId }: { connectionId: string }) {
  const { t, i18n } = useTranslation();
  const approved = useTemplates(connectionId);
  const [all, setAll] = useState<Template[] | null>(null);
  const qc = useQueryClient();
  const sync = useMutation({
    mutationFn: () =>
      post<{ synced: number; removed: number; templates: Template[] }>(
        `/api/connections/${connectionId}/templates/sync`,
      ),
    onSuccess: (r) => {
      setAll(r.templates);
      void qc.invalidateQueries({ queryKey: channelKeys.templates(connectionId) });
      notifications.show({ color: "teal", message: t("channels.templates.synced", { count: r.synced }) });
    },
  });
  const list = all ?? approved.data ?? [];
  return (
    <Stack
      gap="sm"
      mt="md"
      pt="md"
      style={{ borderTop: "1px solid var(--mantine-color-gray-2)" }}
      data-testid="templates"
    >
      <Group justify="space-between">
        <Text fw={600} size="sm">
          {t("channels.templates.title")}
        </Text>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconRefresh size={14} />}
          loading={sync.isPending}
          onClick={() => sync.mutate()}
          data-testid="sync-templates"
        >
          {t("channels.templates.sync")}
        </Button>
      </Group>
      {sync.error ? (
        <Alert color="red" variant="light">
          {errorWithReason(t, sync.error)}
        </Alert>
      ) : null}
      {list.length === 0 ? (
        <Text size="sm" c="dimmed">
          {approved.isPending ? t("common.loading") : t("channels.templates.empty")}
        </Text>
      ) : (
        <Table striped verticalSpacing={6} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("channels.templates.name")}</Table.Th>
              <Table.Th>{t("channels.templates.language")}</Table.Th>
              <Table.Th>{t("channels.templates.category")}</Table.Th>
              <Table.Th>{t("channels.templates.status")}</Table.Th>
              <Table.Th>{t("channels.templates.variables")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((tpl) => (
              <Table.Tr key={tpl.id} data-testid="template-row">
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" ff="monospace">
                      {tpl.name}
                    </Text>
                    {!tpl.sendable ? (
                      <Tooltip label={tpl.unsupported ?? t("channels.templates.notSendable")}>
                        <Badge size="xs" color="gray" variant="light" tt="none">
                          {t("channels.templates.notSendable")}
                        </Badge>
                      </Tooltip>
                    ) : null}
                  </Group>
                </Table.Td>
                <Table.Td>{tpl.language}</Table.Td>
                <Table.Td>{tpl.category ?? "—"}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={STATUS_COLOR[tpl.status] ?? "gray"}>
                    {tpl.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{tpl.variables.header + tpl.variables.body + tpl.variables.buttons}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="xs" c="dimmed">
        {all
          ? null
          : approved.data?.[0]
            ? t("channels.templates.syncedAt", {
                time: fullDateTime(approved.data[0].syncedAt, i18n.language),
              })
            : null}
      </Text>
    </Stack>
  );
}
