import { Avatar, Group, Stack, Text, Tooltip } from "@mantine/core";
import type { Message } from "@parley/protocol";
import { useTranslation } from "react-i18next";
import { seenAt, useSeenBy } from "../../api/receipts";
import { fullDateTime } from "../../lib/format";

/**
 * Staff-side receipts under a customer message (R303): the avatars of the agents who have seen it, with
 * each one's name and when in the tooltip. Updated live from `read_cursor.updated`.
 */
export function SeenBy({ m, conversationId }: { m: Message; conversationId: string }) {
  const { t, i18n } = useTranslation();
  const data = useSeenBy(conversationId).data;
  if (!data || m.direction !== "inbound") return null;
  const viewers = seenAt(data, m.seq);
  if (!viewers.length) return null;
  return (
    <Tooltip
      withArrow
      multiline
      maw={320}
      label={
        <Stack gap={2}>
          <Text size="xs" fw={600}>
            {t("seenBy.title")}
          </Text>
          {viewers.map((v) => (
            <Text size="xs" key={v.userId}>
              {v.at ? t("seenBy.at", { name: v.name, time: fullDateTime(v.at, i18n.language) }) : v.name}
            </Text>
          ))}
        </Stack>
      }
    >
      <Group
        gap={4}
        mt={2}
        data-testid="seen-by"
        data-users={viewers.map((v) => v.name).join(",")}
        aria-label={t("seenBy.label", { names: viewers.map((v) => v.name).join(", ") })}
      >
        <Avatar.Group spacing={6}>
          {viewers.slice(0, 4).map((v) => (
            <Avatar key={v.userId} src={v.avatarUrl} name={v.name} color="initials" size={18} radius="xl" />
          ))}
          {viewers.length > 4 ? (
            <Avatar size={18} radius="xl">
              +{viewers.length - 4}
            </Avatar>
          ) : null}
        </Avatar.Group>
      </Group>
    </Tooltip>
  );
}
