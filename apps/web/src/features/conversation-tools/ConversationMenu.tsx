import { ActionIcon, Button, Group, Menu, Modal, Select, Stack, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Conversation, ConversationStatus } from "@parley/protocol";
import {
  IconBan,
  IconBell,
  IconBellOff,
  IconCheck,
  IconDoorExit,
  IconDots,
  IconLockOpen,
  IconPlayerPlay,
  IconTrash,
  IconUserPlus,
  IconUsers,
} from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { del, post, put } from "../../api/client";
import { keys, useUsers } from "../../api/queries";
import { errorWithReason } from "../../lib/errors";
import { upsertConversation } from "../../realtime/apply";
import { PresenceDot } from "../account/presence";
import { notifyKeys, type SettingsResponse, useNotificationSettings } from "../notifications/api";
import { useBlockContact } from "./ComposerTools";

type Dialog = null | "reassign" | "operator" | "block" | "delete";

/**
 * The conversation's actions (R201, R207–R209, R213): take in progress, reassign, add an operator, leave,
 * finish, block or unblock the contact, delete. Only what the caller's permissions allow is offered.
 */
export function ConversationMenu({ c, me }: { c: Conversation; me: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const users = useUsers();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [userId, setUserId] = useState<string | null>(null);
  const perms = c.permissions;
  const done = (r: { conversation: Conversation }) => {
    upsertConversation(qc, me, r.conversation);
    void qc.invalidateQueries({ queryKey: keys.conversation(c.id) });
    setDialog(null);
    setUserId(null);
  };
  const onError = (err: unknown) => notifications.show({ color: "red", message: errorWithReason(t, err) });
  const act = useMutation({
    mutationFn: (v: { path: string; body?: unknown }) =>
      post<{ conversation: Conversation }>(`/api/conversations/${c.id}/${v.path}`, v.body ?? {}),
    onSuccess: done,
    onError,
  });
  const status = (s: ConversationStatus) => act.mutate({ path: "status", body: { status: s } });
  const remove = useMutation({
    mutationFn: () => del(`/api/conversations/${c.id}`),
    onSuccess: () => {
      qc.removeQueries({ queryKey: keys.conversation(c.id) });
      void qc.invalidateQueries({ queryKey: keys.lists });
      notifications.show({ message: t("convTools.menu.deleted") });
      navigate("/inbox");
    },
    onError,
  });
  // Muting is the caller's own: the list of muted conversations comes with their notification settings.
  const settings = useNotificationSettings();
  const muted = settings.data?.mutedConversationIds.includes(c.id) ?? false;
  const mute = useMutation({
    mutationFn: (on: boolean) => put<{ muted: boolean }>(`/api/conversations/${c.id}/mute`, { muted: on }),
    onSuccess: (r) =>
      qc.setQueryData<SettingsResponse>(notifyKeys.settings, (cur) =>
        cur
          ? {
              ...cur,
              mutedConversationIds: r.muted
                ? [c.id, ...cur.mutedConversationIds.filter((x) => x !== c.id)]
                : cur.mutedConversationIds.filter((x) => x !== c.id),
            }
          : cur,
      ),
    onError,
  });
  const block = useBlockContact(c, true);
  const unblock = useBlockContact(c, false);
  const involved = c.assigneeId === me || c.operatorIds.includes(me);
  const active = (users.data ?? []).filter((u) => u.status === "active");
  return (
    <>
      {muted ? (
        <Tooltip label={t("convTools.menu.muted")}>
          <IconBellOff
            size={16}
            color="var(--mantine-color-gray-6)"
            aria-label={t("convTools.menu.muted")}
            data-testid="conversation-muted"
          />
        </Tooltip>
      ) : null}
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon
            variant="default"
            size="md"
            aria-label={t("convTools.menu.label")}
            data-testid="conversation-menu"
          >
            <IconDots size={16} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          {perms?.changeStatus && c.status !== "in_progress" ? (
            <Menu.Item
              leftSection={<IconPlayerPlay size={14} />}
              onClick={() => status("in_progress")}
              data-testid="menu-in-progress"
            >
              {t("convTools.menu.inProgress")}
            </Menu.Item>
          ) : null}
          {perms?.changeStatus && c.status !== "closed" ? (
            <Menu.Item
              leftSection={<IconCheck size={14} />}
              onClick={() => status("closed")}
              data-testid="menu-finish"
            >
              {t("convTools.menu.finish")}
            </Menu.Item>
          ) : null}
          {perms?.assign ? (
            <>
              <Menu.Item
                leftSection={<IconUsers size={14} />}
                onClick={() => setDialog("reassign")}
                data-testid="menu-reassign"
              >
                {t("convTools.menu.reassign")}
              </Menu.Item>
              <Menu.Item
                leftSection={<IconUserPlus size={14} />}
                onClick={() => setDialog("operator")}
                data-testid="menu-operator"
              >
                {t("convTools.menu.addOperator")}
              </Menu.Item>
            </>
          ) : null}
          {involved ? (
            <Menu.Item
              leftSection={<IconDoorExit size={14} />}
              onClick={() => act.mutate({ path: "leave" })}
              data-testid="menu-leave"
            >
              {t("convTools.menu.leave")}
            </Menu.Item>
          ) : null}
          <Menu.Item
            leftSection={muted ? <IconBell size={14} /> : <IconBellOff size={14} />}
            disabled={!settings.data}
            onClick={() => mute.mutate(!muted)}
            data-testid="menu-mute"
          >
            {muted ? t("convTools.menu.unmute") : t("convTools.menu.mute")}
          </Menu.Item>
          <Menu.Divider />
          {c.contact.blocked ? (
            <Menu.Item
              leftSection={<IconLockOpen size={14} />}
              onClick={() => unblock.mutate()}
              data-testid="menu-unblock"
            >
              {t("convTools.block.unblock")}
            </Menu.Item>
          ) : (
            <Menu.Item
              color="red"
              leftSection={<IconBan size={14} />}
              onClick={() => setDialog("block")}
              data-testid="menu-block"
            >
              {t("convTools.block.block")}
            </Menu.Item>
          )}
          {perms?.delete ? (
            <Menu.Item
              color="red"
              leftSection={<IconTrash size={14} />}
              onClick={() => setDialog("delete")}
              data-testid="menu-delete"
            >
              {t("convTools.menu.delete")}
            </Menu.Item>
          ) : null}
        </Menu.Dropdown>
      </Menu>

      <Modal
        opened={dialog === "reassign" || dialog === "operator"}
        onClose={() => setDialog(null)}
        title={dialog === "operator" ? t("convTools.menu.addOperator") : t("convTools.menu.reassign")}
      >
        <Stack>
          <Select
            searchable
            data-autofocus
            label={t("convTools.menu.agent")}
            data={[
              ...(dialog === "reassign" ? [{ value: "queue", label: t("convTools.menu.queue") }] : []),
              ...active
                .filter((u) =>
                  dialog === "operator"
                    ? u.id !== c.assigneeId && !c.operatorIds.includes(u.id)
                    : u.id !== c.assigneeId,
                )
                .map((u) => ({ value: u.id, label: u.name })),
            ]}
            value={userId}
            onChange={setUserId}
            renderOption={({ option }) => (
              <Group gap={8} wrap="nowrap">
                {option.value !== "queue" ? <PresenceDot userId={option.value} size={8} /> : null}
                {option.label}
              </Group>
            )}
            data-testid="menu-user"
          />
          <Group justify="flex-end">
            <Button
              disabled={!userId}
              loading={act.isPending}
              data-testid="menu-confirm"
              onClick={() =>
                dialog === "operator"
                  ? act.mutate({ path: "operators", body: { userId } })
                  : act.mutate({ path: "assign", body: { assigneeId: userId === "queue" ? null : userId } })
              }
            >
              {t("convTools.menu.confirm")}
            </Button>
          </Group>
        </Stack>
      </Modal>

      <Modal opened={dialog === "block"} onClose={() => setDialog(null)} title={t("convTools.block.block")}>
        <Text size="sm" mb="md">
          {t("convTools.block.warning")}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDialog(null)}>
            {t("convTools.cancel")}
          </Button>
          <Button
            color="red"
            loading={block.isPending}
            onClick={() => block.mutate(undefined, { onSuccess: () => setDialog(null) })}
            data-testid="block-confirm"
          >
            {t("convTools.block.block")}
          </Button>
        </Group>
      </Modal>

      <Modal opened={dialog === "delete"} onClose={() => setDialog(null)} title={t("convTools.menu.delete")}>
        <Text size="sm" mb="md">
          {t("convTools.menu.deleteWarning")}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDialog(null)}>
            {t("convTools.cancel")}
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() => remove.mutate()}
            data-testid="delete-confirm"
          >
            {t("convTools.menu.delete")}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
