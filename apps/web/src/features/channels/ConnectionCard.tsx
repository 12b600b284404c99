import {
  ActionIcon,
  Button,
  Collapse,
  Group,
  Menu,
  Modal,
  Paper,
  Stack,
  Switch,
  ThemeIcon,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconDots,
  IconKey,
  IconPencil,
  IconRefresh,
  IconSettings,
  IconTemplate,
  IconTrash,
} from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Connection, channelKeys, useChannelTypes } from "../../api/channels";
import { del, patch, post } from "../../api/client";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";
import { ChannelIcon } from "../inbox/ChannelIcon";
import { Confirm, FieldsModal, RenameModal } from "./ConnectionDialogs";
import { ConnectionSummary } from "./ConnectionSummary";
import { RevealPanel } from "./RevealPanel";
import { formFields } from "./schemaForm";
import { TelegramUserConnect } from "./TelegramUserConnect";
import { TemplatesPanel } from "./TemplatesPanel";

type Dialog = "rename" | "credentials" | "settings" | "rotate" | "delete" | "reconnect" | null;

/** One connection: its health, what it reports, and its actions (admins). */
export function ConnectionCard({ c }: { c: Connection }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [reveal, setReveal] = useState<Record<string, string> | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: channelKeys.connections });
  const onError = (err: unknown) => showErrorWithReason(t, err);

  const toggle = useMutation({
    mutationFn: (enabled: boolean) => patch(`/api/connections/${c.id}`, { enabled }),
    onSuccess: refresh,
    onError,
  });
  const rotate = useMutation({
    mutationFn: () =>
      post<Answer<"/api/connections/{id}/rotate-secret", "post">>(`/api/connections/${c.id}/rotate-secret`),
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

  const fields = formFields(useChannelTypes().data?.find((ct) => ct.type === c.type && ct.connectable));
  const credentialFields = fields.filter((f) => f.group === "credentials");
  const settingFields = fields.filter((f) => f.group === "settings");
  const isWhatsApp = c.type === "whatsapp";
  // A personal Telegram account has no secrets of Parley's to rotate: it is signed in again instead.
  const signsIn = c.type === "telegram_user";

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
          <ConnectionSummary c={c} />
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
              {signsIn ? (
                <Menu.Item
                  leftSection={<IconRefresh size={14} />}
                  onClick={() => setDialog("reconnect")}
                  data-testid="connection-reconnect"
                >
                  {t("telegramUser.reconnect")}
                </Menu.Item>
              ) : (
                <Menu.Item leftSection={<IconRefresh size={14} />} onClick={() => setDialog("rotate")}>
                  {t("channels.actions.rotate")}
                </Menu.Item>
              )}
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
      {signsIn ? (
        <Modal
          opened={dialog === "reconnect"}
          onClose={() => setDialog(null)}
          title={t("telegramUser.reconnectTitle", { name: c.name })}
          size="lg"
        >
          {dialog === "reconnect" ? (
            <TelegramUserConnect defaultName={c.name} connectionId={c.id} onDone={() => setDialog(null)} />
          ) : null}
        </Modal>
      ) : null}
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
