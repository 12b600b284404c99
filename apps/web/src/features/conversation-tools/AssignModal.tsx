import { Button, Group, Modal, Select, Stack } from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { useTranslation } from "react-i18next";
import { useUsers } from "../../api/queries";
import { PresenceDot } from "../account/presence";

/**
 * Picks an agent to hand the conversation to (or the queue), or one more operator to add. Each agent shows
 * whether they are online.
 */
export function AssignModal({
  c,
  mode,
  userId,
  onUserId,
  loading,
  onClose,
  onConfirm,
}: {
  c: Conversation;
  mode: "reassign" | "operator" | null;
  userId: string | null;
  onUserId: (id: string | null) => void;
  loading: boolean;
  onClose: () => void;
  onConfirm: () => void;
}) {
  const { t } = useTranslation();
  const users = useUsers();
  const active = (users.data ?? []).filter((u) => u.status === "active");
  return (
    <Modal
      opened={mode !== null}
      onClose={onClose}
      title={mode === "operator" ? t("convTools.menu.addOperator") : t("convTools.menu.reassign")}
    >
      <Stack>
        <Select
          searchable
          data-autofocus
          label={t("convTools.menu.agent")}
          data={[
            ...(mode === "reassign" ? [{ value: "queue", label: t("convTools.menu.queue") }] : []),
            ...active
              .filter((u) =>
                mode === "operator"
                  ? u.id !== c.assigneeId && !c.operatorIds.includes(u.id)
                  : u.id !== c.assigneeId,
              )
              .map((u) => ({ value: u.id, label: u.name })),
          ]}
          value={userId}
          onChange={onUserId}
          renderOption={({ option }) => (
            <Group gap={8} wrap="nowrap">
              {option.value !== "queue" ? <PresenceDot userId={option.value} size={8} /> : null}
              {option.label}
            </Group>
          )}
          data-testid="menu-user"
        />
        <Group justify="flex-end">
          <Button disabled={!userId} loading={loading} data-testid="menu-confirm" onClick={onConfirm}>
            {t("convTools.menu.confirm")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
