import { Avatar, Box } from "@mantine/core";
import type { ChannelType, ContactSummary } from "@parley/protocol";
import { ChannelIcon } from "./ChannelIcon";

export const contactName = (c: ContactSummary) => c.name ?? c.nickname ?? c.phone ?? c.email;

/**
 * Initials' backgrounds dark enough for white letters (WCAG AA, 4.5:1): Mantine's own "initials" colours
 * include light ones (yellow, lime) whose letters cannot be read.
 */
const INITIALS_COLORS = ["blue.8", "indigo.8", "violet.8", "grape.8", "red.9", "teal.9", "cyan.9", "pink.9"];
export const initialsColor = (name: string) => {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
  return INITIALS_COLORS[Math.abs(h) % INITIALS_COLORS.length]!;
};

/** The contact's avatar (or initials) with the channel's icon in the corner (R101). */
export function ContactAvatar({
  contact,
  channel,
  size = 40,
}: {
  contact: ContactSummary;
  channel?: ChannelType;
  size?: number;
}) {
  const name = contactName(contact) ?? "?";
  return (
    <Box pos="relative" style={{ flexShrink: 0 }}>
      <Avatar
        src={contact.avatarUrl}
        name={name}
        color={initialsColor(name)}
        variant="filled"
        size={size}
        radius="xl"
      />
      {channel ? (
        <Box
          pos="absolute"
          bottom={-2}
          right={-2}
          bg="white"
          style={{
            borderRadius: "50%",
            lineHeight: 0,
            padding: 2,
            boxShadow: "0 0 0 1px var(--mantine-color-gray-3)",
          }}
        >
          <ChannelIcon type={channel} size={Math.round(size / 3)} />
        </Box>
      ) : null}
    </Box>
  );
}
