import { ActionIcon, Menu, Tooltip } from "@mantine/core";
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
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { del, post } from "../../api/client";
import { keys } from "../../api/queries";
import { ConfirmModal } from "../../components/ConfirmModal";
import { useLazyMenu } from "../../components/lazy-popups";
import { showErrorWithReason } from "../../lib/notify";
import { useApplied } from "../inbox/applied";
import { AssignModal, TEAM_PREFIX } from "./AssignModal";
import { useBlockContact } from "./useBlockContact";
import { useMuteConversation } from "./useMuteConversation";

type Dialog = null | "reassign" | "operator" | "block" | "delete";

/** The reassign menu's choice as the assign request: an agent, the queue, or a team's queue. */
const assignBody = (choice: string | null) =>
  choice?.startsWith(TEAM_PREFIX)
    ? { assigneeId: null, teamId: choice.slice(TEAM_PREFIX.length) }
    : { assigneeId: choice === "queue" ? null : choice };

/**
 * The conversation's actions (R201, R207–R209, R213): take in progress, reassign, add an operator, leave,
 * finish, block or unblock the contact, delete. Only what the caller's permissions allow is offered.
 */
export function ConversationMenu({ c, me, extra }: { c: Conversation; me: string; extra?: ReactNode }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [userId, setUserId] = useState<string | null>(null);
  const perms = c.permissions;
  const applied = useApplied(c.id, me);
  const done = (r: { conversation: Conversation }) => {
    applied(r);
    setDialog(null);
    setUserId(null);
  };
  const onError = (err: unknown) => showErrorWithReason(t, err);
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
  const { loaded, muted, mute } = useMuteConversation(c);
  const block = useBlockContact(c, true);
  const unblock = useBlockContact(c, false);
  const involved = c.assigneeId === me || c.operatorIds.includes(me);
  const menu = useLazyMenu();
  const items = (
    <>
      {extra}
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
        disabled={!loaded}
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
    </>
  );
  const dialogs = (
    <>
      <AssignModal
        c={c}
        mode={dialog === "reassign" || dialog === "operator" ? dialog : null}
        userId={userId}
        onUserId={setUserId}
        loading={act.isPending}
        onClose={() => setDialog(null)}
        onConfirm={() =>
          dialog === "operator"
            ? act.mutate({ path: "operators", body: { userId } })
            : act.mutate({ path: "assign", body: assignBody(userId) })
        }
      />
      <ConfirmModal
        opened={dialog === "block"}
        onClose={() => setDialog(null)}
        title={t("convTools.block.block")}
        warning={t("convTools.block.warning")}
        cancelLabel={t("convTools.cancel")}
        confirmLabel={t("convTools.block.block")}
        loading={block.isPending}
        onConfirm={() => block.mutate(undefined, { onSuccess: () => setDialog(null) })}
        confirmTestId="block-confirm"
      />
      <ConfirmModal
        opened={dialog === "delete"}
        onClose={() => setDialog(null)}
        title={t("convTools.menu.delete")}
        warning={t("convTools.menu.deleteWarning")}
        cancelLabel={t("convTools.cancel")}
        confirmLabel={t("convTools.menu.delete")}
        loading={remove.isPending}
        onConfirm={() => remove.mutate()}
        confirmTestId="delete-confirm"
      />
    </>
  );
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
      <ActionIcon
        variant="default"
        size="md"
        aria-label={t("convTools.menu.label")}
        data-testid="conversation-menu"
        {...menu.targetProps}
      >
        <IconDots size={16} />
        {menu.menu(items)}
      </ActionIcon>
      {/* Its dialogs are reached from the menu only: mounted once it has been opened. */}
      {menu.mounted ? dialogs : null}
    </>
  );
}
