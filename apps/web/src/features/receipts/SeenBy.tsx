import { Avatar, Group, Popover, Stack, Text, UnstyledButton } from "@mantine/core";
import type { Message } from "@parley/protocol";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { seenAt, useSeenBy } from "../../api/receipts";
import { fullDateTime } from "../../lib/format";
import { initialsColor } from "../inbox/ContactAvatar";

/**
 * Staff-side receipts under a customer message (R303): the avatars of the agents who have seen it and how
 * many, as a button. Pointing at it, focusing it (Tab) or pressing it opens the list of names with when each
 * saw the message; Escape or leaving closes it. Initials sit on dark backgrounds (AA contrast). Updated live
 * from `read_cursor.updated`.
 */
export function SeenBy({ m, conversationId }: { m: Message; conversationId: string }) {
  const { t, i18n } = useTranslation();
  const data = useSeenBy(conversationId).data;
  const [opened, setOpened] = useState(false);
  if (!data || m.direction !== "inbound") return null;
  const viewers = seenAt(data, m.seq);
  if (!viewers.length) return null;
  const names = viewers.map((v) => v.name).join(", ");
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-start" withArrow shadow="md" withinPortal>
      <Popover.Target>
        <UnstyledButton
          mt={4}
          px={4}
          py={2}
          onClick={() => setOpened(true)}
          onMouseEnter={() => setOpened(true)}
          onMouseLeave={() => setOpened(false)}
          onFocus={() => setOpened(true)}
          onBlur={() => setOpened(false)}
          onKeyDown={(e) => {
            if (e.key === "Escape") setOpened(false);
          }}
          style={{ borderRadius: "var(--mantine-radius-sm)" }}
          data-testid="seen-by"
          data-users={viewers.map((v) => v.name).join(",")}
          aria-label={`${t("agentDay2.seenBy.count", { count: viewers.length })}: ${names}`}
          aria-expanded={opened}
        >
          <Group gap={6} wrap="nowrap">
            <Avatar.Group spacing={6}>
              {viewers.slice(0, 4).map((v) => (
                <Avatar
                  key={v.userId}
                  src={v.avatarUrl}
                  name={v.name}
                  color={initialsColor(v.name)}
                  variant="filled"
                  size={24}
                  radius="xl"
                  aria-hidden
                />
              ))}
              {viewers.length > 4 ? (
                <Avatar size={24} radius="xl" color="gray.8" variant="filled" aria-hidden>
                  +{viewers.length - 4}
                </Avatar>
              ) : null}
            </Avatar.Group>
            <Text size="xs" c="dimmed" aria-hidden>
              {t("agentDay2.seenBy.count", { count: viewers.length })}
            </Text>
          </Group>
        </UnstyledButton>
      </Popover.Target>
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
