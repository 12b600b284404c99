import { Button, Group, Modal, Select, Stack } from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { get } from "../../api/client";
import { useUsers } from "../../api/queries";
import type { Answer } from "../../api/types";
import { PresenceDot } from "../account/presence";

/** A team's queue as a choice of the reassign menu: `team:<id>`. */
export const TEAM_PREFIX = "team:";

/**
 * Picks an agent to hand the conversation to, the queue, or a team's queue (reassign); or one more operator
 * to add. Each agent shows whether they are online.
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
  const teams = useQuery({
    queryKey: ["teams"],
    queryFn: () => get<Answer<"/api/teams">>("/api/teams").then((r) => r.teams),
    enabled: mode === "reassign",
  });
  const agents = active
    .filter((u) =>
      mode === "operator" ? u.id !== c.assigneeId && !c.operatorIds.includes(u.id) : u.id !== c.assigneeId,
    )
    .map((u) => ({ value: u.id, label: u.name }));
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
          data={
            mode === "reassign"
              ? [
                  {
                    group: t("agentDay.reassign.queues"),
                    items: [{ value: "queue", label: t("convTools.menu.queue") }],
                  },
                  { group: t("agentDay.reassign.agents"), items: agents },
                  ...((teams.data ?? []).length
                    ? [
                        {
                          group: t("agentDay.reassign.teams"),
                          items: (teams.data ?? []).map((x) => ({
                            value: `${TEAM_PREFIX}${x.id}`,
                            label: t("agentDay.reassign.team", { name: x.name }),
                          })),
                        },
                      ]
                    : []),
                ]
              : agents
          }
          value={userId}
          onChange={onUserId}
          renderOption={({ option }) => (
            <Group gap={8} wrap="nowrap">
              {option.value !== "queue" && !option.value.startsWith(TEAM_PREFIX) ? (
                <PresenceDot userId={option.value} size={8} />
              ) : null}
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
