import { Avatar, Group, Popover, Stack, Text, UnstyledButton, VisuallyHidden } from "@mantine/core";
import type { Message } from "@parley/protocol";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { seenAt, useSeenBy } from "../../api/receipts";
import { fullDateTime } from "../../lib/format";
import { useReached } from "../../lib/reach";
import { initialsColor } from "../inbox/ContactAvatar";

/**
 * Staff-side receipts under a customer message (R303): the avatars of the agents who have seen it and a
 * "Seen by N" button. Pointing at them, focusing the button (Tab) or pressing it opens the list of names with
 * when each saw the message; Escape or leaving closes it. Initials sit on dark backgrounds (AA contrast). Updated live
 * from `read_cursor.updated`. The popover itself is mounted once the pointer or the focus first reaches them
 * (lib/reach.ts), not for every customer message each time a conversation is opened.
 */
export function SeenBy({ m, conversationId }: { m: Message; conversationId: string }) {
  const { t, i18n } = useTranslation();
  const data = useSeenBy(conversationId).data;
  const [opened, setOpened] = useState(false);
  const { reached, ...reach } = useReached<HTMLDivElement>();
  if (!data || m.direction !== "inbound") return null;
  const viewers = seenAt(data, m.seq);
  if (!viewers.length) return null;
  const names = viewers.map((v) => v.name).join(", ");
  const target = (
    <Group
      gap={6}
      wrap="nowrap"
      mt={4}
      w="fit-content"
      {...reach}
      onPointerEnter={() => {
        reach.onPointerEnter();
        setOpened(true);
      }}
      onMouseEnter={() => setOpened(true)}
      onMouseLeave={() => setOpened(false)}
      data-testid="seen-by"
      data-users={viewers.map((v) => v.name).join(",")}
    >
      <Avatar.Group spacing={6} aria-hidden>
        {viewers.slice(0, 4).map((v) => (
          <Avatar
            key={v.userId}
            src={v.avatarUrl}
            name={v.name}
            color={initialsColor(v.name)}
            variant="filled"
            size={24}
            radius="xl"
          />
        ))}
        {viewers.length > 4 ? (
          <Avatar size={24} radius="xl" color="gray.8" variant="filled">
            +{viewers.length - 4}
          </Avatar>
        ) : null}
      </Avatar.Group>
      {/* The button's name is its text and, unseen, the names: the avatars are decoration. */}
      <UnstyledButton
        fz="xs"
        c="dimmed"
        px={2}
        onClick={() => setOpened(true)}
        onFocus={() => setOpened(true)}
        onBlur={() => setOpened(false)}
        onKeyDown={(e) => {
          if (e.key === "Escape") setOpened(false);
        }}
        style={{ borderRadius: "var(--mantine-radius-sm)" }}
        aria-expanded={opened}
        data-testid="seen-by-button"
      >
        {t("agentDay2.seenBy.count", { count: viewers.length })}
        <VisuallyHidden>{`: ${names}`}</VisuallyHidden>
      </UnstyledButton>
    </Group>
  );
  if (!reached) return target;
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-start"
      withArrow
      shadow="md"
      withinPortal
      withRoles={false}
    >
      <Popover.Target>{target}</Popover.Target>
      <Popover.Dropdown maw={340} data-testid="seen-by-list">
        <Text size="xs" fw={600} mb={6}>
          {t("seenBy.title")}
        </Text>
        <Stack gap={6} component="ul" m={0} p={0} style={{ listStyle: "none" }}>
          {viewers.map((v) => (
            <Group key={v.userId} gap={8} wrap="nowrap" component="li">
              <Avatar
                src={v.avatarUrl}
                name={v.name}
                color={initialsColor(v.name)}
                variant="filled"
                size={28}
                radius="xl"
                aria-hidden
              />
              <Text size="sm">
                {v.at ? t("seenBy.at", { name: v.name, time: fullDateTime(v.at, i18n.language) }) : v.name}
              </Text>
            </Group>
          ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
