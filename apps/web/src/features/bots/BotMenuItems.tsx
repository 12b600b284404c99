import { Menu } from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { IconRobot, IconUserCheck } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { useAssignBot, useBotNames } from "./bots-api";

/** The assign menu's bots: hand the conversation to one, or take it back from its bot. */
export function BotMenuItems({
  c,
  onDone,
}: {
  c: Conversation;
  onDone: (r: { conversation: Conversation }) => void;
}) {
  const { t } = useTranslation();
  const bots = useBotNames();
  const assign = useAssignBot();
  const list = bots.data?.bots ?? [];
  if (!c.permissions?.assign || (list.length === 0 && !c.botId)) return null;
  return (
    <>
      <Menu.Label>{t("bots.assignMenu")}</Menu.Label>
      {list
        .filter((b) => b.id !== c.botId)
        .map((b) => (
          <Menu.Item
            key={b.id}
            leftSection={<IconRobot size={14} />}
            onClick={() => assign.mutate({ conversationId: c.id, botId: b.id }, { onSuccess: onDone })}
            data-testid="assign-bot"
          >
            {b.name}
          </Menu.Item>
        ))}
      {c.botId ? (
        <Menu.Item
          leftSection={<IconUserCheck size={14} />}
          onClick={() => assign.mutate({ conversationId: c.id, botId: null }, { onSuccess: onDone })}
          data-testid="take-from-bot"
        >
          {t("bots.takeBack")}
        </Menu.Item>
      ) : null}
      <Menu.Divider />
    </>
  );
}
