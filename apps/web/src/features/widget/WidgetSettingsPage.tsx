import {
  ActionIcon,
  Alert,
  Box,
  Button,
  Code,
  ColorInput,
  CopyButton,
  Grid,
  Group,
  Modal,
  NavLink,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { type WidgetLanguage, WidgetSettings } from "@parley/protocol";
import { IconAlertTriangle, IconCheck, IconCopy, IconMessageCircle } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Connection, channelKeys, useConnections } from "../../api/channels";
import { ApiError, patch, post } from "../../api/client";
import type { Session } from "../../api/queries";
import { isAdminRole, PageShell } from "../layout/AppHeader";

type Settings = WidgetSettings;
const PRECHAT = ["name", "email", "phone"] as const;

const embedCode = (id: string) =>
  `<script src="${window.location.origin}/widget/loader.js" data-parley-widget="${id}" async></script>`;

function Copyable({ value, testId }: { value: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, wordBreak: "break-all", whiteSpace: "pre-wrap" }} data-testid={testId}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? t("widgetAdmin.copied") : t("widgetAdmin.copy")}>
            <ActionIcon
              variant="light"
              color={copied ? "teal" : "gray"}
              onClick={copy}
              aria-label={t("widgetAdmin.copy")}
            >
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}

/** A picture of the widget as visitors will see it, following the form as the admin edits it. */
export function WidgetPreview({ settings }: { settings: Settings }) {
  const { i18n } = useTranslation();
  const tw = i18n.getFixedT(settings.language);
  const side = settings.position === "left" ? "flex-start" : "flex-end";
  return (
    <Box
      data-testid="widget-preview"
      data-position={settings.position}
      style={{ background: "var(--mantine-color-gray-1)", borderRadius: 8, padding: 12, height: 420 }}
    >
      <Stack gap={8} align={side} h="100%" justify="flex-end">
        <Paper shadow="md" radius="md" w={260} style={{ overflow: "hidden" }}>
          <Box px="sm" py={8} style={{ background: settings.color, color: "#fff" }}>
            <Text fw={600} size="sm" data-testid="preview-title">
              {tw("widgetAdmin.preview.title")}
            </Text>
          </Box>
          <Stack gap={6} p="sm" style={{ background: "var(--mantine-color-gray-0)", minHeight: 180 }}>
            {settings.greeting ? (
              <Paper withBorder px="xs" py={6} radius="md" maw="85%" data-testid="preview-greeting">
                <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                  {settings.greeting}
                </Text>
              </Paper>
            ) : null}
            <Paper
              px="xs"
              py={6}
              radius="md"
              maw="85%"
              ml="auto"
              style={{ background: settings.color, color: "#fff" }}
            >
              <Text size="sm">{tw("widgetAdmin.preview.sample")}</Text>
            </Paper>
            {PRECHAT.some((f) => settings.preChat[f] !== "off") ? (
              <Text size="xs" c="dimmed">
                {tw("widgetAdmin.preview.preChat")}
              </Text>
            ) : null}
          </Stack>
          <Box px="sm" py={8} style={{ borderTop: "1px solid var(--mantine-color-gray-3)" }}>
            <Text size="sm" c="dimmed" data-testid="preview-placeholder">
              {tw("widgetAdmin.preview.placeholder")}
            </Text>
          </Box>
        </Paper>
        <Box
          aria-hidden
          style={{
            width: 52,
            height: 52,
            borderRadius: "50%",
            background: settings.color,
            color: "#fff",
            display: "flex",
            alignItems: "center",
            justifyContent: "center",
          }}
        >
          <IconMessageCircle size={26} />
        </Box>
      </Stack>
    </Box>
  );
}

function SettingsForm({ connection }: { connection: Connection }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const initial = useMemo(() => WidgetSettings.parse(connection.settings), [connection.settings]);
  const [s, setS] = useState<Settings>(initial);
  useEffect(() => setS(initial), [initial]);
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setS((cur) => ({ ...cur, [k]: v }));
  const save = useMutation({
    mutationFn: () => patch(`/api/connections/${connection.id}`, { settings: s }),
    onSuccess: () => qc.invalidateQueries({ queryKey: channelKeys.connections }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const mode = (v: string | null) => (v ?? "off") as Settings["preChat"]["name"];
  return (
    <Grid gap="xl">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <TagsInput
              label={t("widgetAdmin.fields.allowedOrigins")}
              description={t("widgetAdmin.hints.allowedOrigins")}
              placeholder="https://shop.example"
              value={s.allowedOrigins}
              onChange={(v) => set("allowedOrigins", v)}
              data-testid="widget-origins"
            />
            <Textarea
              label={t("widgetAdmin.fields.greeting")}
              value={s.greeting}
              maxLength={500}
              autosize
              minRows={2}
              onChange={(e) => set("greeting", e.currentTarget.value)}
              data-testid="widget-greeting-input"
            />
            <Group grow>
              <ColorInput
                label={t("widgetAdmin.fields.color")}
                value={s.color}
                format="hex"
                onChange={(v) => set("color", v)}
                data-testid="widget-color"
              />
              <Select
                label={t("widgetAdmin.fields.language")}
                value={s.language}
                allowDeselect={false}
                data={(["en", "ru", "uk"] as WidgetLanguage[]).map((l) => ({
                  value: l,
                  label: t(`widgetAdmin.languages.${l}`),
                }))}
                onChange={(v) => set("language", (v ?? "en") as WidgetLanguage)}
                data-testid="widget-language"
              />
            </Group>
            <div>
              <Text size="sm" fw={500} mb={4}>
                {t("widgetAdmin.fields.position")}
              </Text>
              <SegmentedControl
                value={s.position}
                onChange={(v) => set("position", v as Settings["position"])}
                data={[
                  { value: "left", label: t("widgetAdmin.position.left") },
                  { value: "right", label: t("widgetAdmin.position.right") },
                ]}
                data-testid="widget-position"
              />
            </div>
            <Text size="sm" fw={500}>
              {t("widgetAdmin.fields.preChat")}
            </Text>
            <Group grow>
              {PRECHAT.map((f) => (
                <Select
                  key={f}
                  label={t(`widgetAdmin.preChatFields.${f}`)}
                  value={s.preChat[f]}
                  allowDeselect={false}
                  data={(["off", "optional", "required"] as const).map((m) => ({
                    value: m,
                    label: t(`widgetAdmin.preChatModes.${m}`),
                  }))}
                  onChange={(v) => set("preChat", { ...s.preChat, [f]: mode(v) })}
                  data-testid={`widget-prechat-${f}`}
                />
              ))}
            </Group>
            <Group grow>
              <NumberInput
                label={t("widgetAdmin.fields.autoCloseMinutes")}
                description={t("widgetAdmin.hints.autoCloseMinutes")}
                min={5}
                max={10080}
                value={s.autoCloseMinutes}
                onChange={(v) => set("autoCloseMinutes", Number(v) || 60)}
                data-testid="widget-autoclose"
              />
              <NumberInput
                label={t("widgetAdmin.fields.maxFileMb")}
                min={0}
                max={25}
                value={Math.round(s.maxFileBytes / 1048576)}
                onChange={(v) => set("maxFileBytes", Math.round(Number(v) || 0) * 1048576)}
                data-testid="widget-maxfile"
              />
            </Group>
            <Switch
              label={t("widgetAdmin.fields.readReceipts")}
              description={t("widgetAdmin.hints.readReceipts")}
              checked={s.readReceipts}
              onChange={(e) => set("readReceipts", e.currentTarget.checked)}
            />
            <Switch
              label={t("widgetAdmin.fields.identityVerification")}
              description={t("widgetAdmin.hints.identityVerification")}
              checked={s.identityVerification}
              onChange={(e) => set("identityVerification", e.currentTarget.checked)}
              data-testid="widget-identity"
            />
            {save.error ? (
              <Alert color="red" variant="light" data-testid="widget-save-error">
                {save.error instanceof ApiError ? save.error.message : t("widgetAdmin.saveFailed")}
              </Alert>
            ) : null}
            <Group>
              <Button type="submit" loading={save.isPending} data-testid="widget-save">
                {t("widgetAdmin.save")}
              </Button>
              {save.isSuccess ? (
                <Text size="sm" c="teal" data-testid="widget-saved">
                  {t("widgetAdmin.saved")}
                </Text>
              ) : null}
            </Group>
          </Stack>
        </form>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Stack gap="sm">
          <Text size="sm" fw={600}>
            {t("widgetAdmin.preview.heading")}
          </Text>
          <WidgetPreview settings={s} />
          <Text size="sm" fw={600}>
            {t("widgetAdmin.embed.heading")}
          </Text>
          <Text size="xs" c="dimmed">
            {t("widgetAdmin.embed.hint")}
          </Text>
          <Copyable value={embedCode(connection.id)} testId="widget-embed-code" />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}

/** `/settings/widget`: the website chat widgets of the workspace (admins). */
export function WidgetSettingsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const connections = useConnections();
  const widgets = (connections.data ?? []).filter((c) => c.type === "widget");
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [reveal, setReveal] = useState<Record<string, string> | null>(null);
  const current = widgets.find((w) => w.id === selected) ?? widgets[0] ?? null;
  const create = useMutation({
    mutationFn: () =>
      post<{ connection: Connection; reveal: Record<string, string> }>("/api/connections", {
        type: "widget",
        name: name.trim(),
        settings: {},
      }),
    onSuccess: (r) => {
      setName("");
      setSelected(r.connection.id);
      setReveal(r.reveal);
      void qc.invalidateQueries({ queryKey: channelKeys.connections });
    },
  });
  if (!isAdminRole(session.user.role)) {
    return (
      <PageShell session={session}>
        <Alert color="gray">{t("widgetAdmin.adminsOnly")}</Alert>
      </PageShell>
    );
  }
  return (
    <PageShell session={session}>
      <Title order={2}>{t("widgetAdmin.title")}</Title>
      <Text c="dimmed" size="sm" mb="lg">
        {t("widgetAdmin.subtitle")}
      </Text>
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, md: 3 }}>
          <Stack gap="xs">
            {widgets.map((w) => (
              <NavLink
                key={w.id}
                label={w.name}
                active={current?.id === w.id}
                onClick={() => setSelected(w.id)}
                data-testid="widget-connection"
              />
            ))}
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (name.trim()) create.mutate();
              }}
            >
              <Stack gap="xs" mt="sm">
                <TextInput
                  label={t("widgetAdmin.newName")}
                  value={name}
                  onChange={(e) => setName(e.currentTarget.value)}
                  data-testid="widget-new-name"
                />
                <Button
                  type="submit"
                  variant="light"
                  loading={create.isPending}
                  disabled={!name.trim()}
                  data-testid="widget-create"
                >
                  {t("widgetAdmin.create")}
                </Button>
              </Stack>
            </form>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 9 }}>
          {current ? (
            <SettingsForm key={current.id} connection={current} />
          ) : connections.isSuccess ? (
            <Text c="dimmed" data-testid="widget-empty">
              {t("widgetAdmin.empty")}
            </Text>
          ) : null}
        </Grid.Col>
      </Grid>
      <Modal
        opened={reveal !== null}
        onClose={() => setReveal(null)}
        title={t("widgetAdmin.reveal.title")}
        size="lg"
      >
        <Stack gap="sm" data-testid="widget-reveal">
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
            {t("widgetAdmin.reveal.warning")}
          </Alert>
          <Text size="sm" fw={600}>
            {t("widgetAdmin.embed.heading")}
          </Text>
          <Copyable value={reveal?.embedCode ?? ""} testId="widget-reveal-embed" />
          <Text size="sm" fw={600}>
            {t("widgetAdmin.reveal.identitySecret")}
          </Text>
          <Text size="xs" c="dimmed">
            {t("widgetAdmin.reveal.identityHint")}
          </Text>
          <Copyable value={reveal?.identitySecret ?? ""} testId="widget-reveal-secret" />
          <Group justify="flex-end">
            <Button onClick={() => setReveal(null)} data-testid="widget-reveal-done">
              {t("widgetAdmin.reveal.done")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </PageShell>
  );
}
