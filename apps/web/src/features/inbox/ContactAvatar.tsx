import { Avatar, Box } from "@mantine/core";
import type { ChannelType, ContactSummary } from "@parley/protocol";
import { ChannelIcon } from "./ChannelIcon";

export const contactName = (c: ContactSummary) => c.name ?? c.nickname ?? c.phone ?? c.email;

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
      <Avatar src={contact.avatarUrl} name={name} color="initials" size={size} radius="xl" />
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
