import { Avatar, Box } from "@mantine/core";
import { PresenceDot } from "./presence";

/** A person's avatar (picture or initials) with their presence on its corner. */
export function UserAvatar({
  user,
  size = 32,
  withPresence = true,
}: {
  user: { id: string; name: string; avatarUrl: string | null };
  size?: number;
  withPresence?: boolean;
}) {
  return (
    <Box pos="relative" display="inline-block" style={{ lineHeight: 0 }}>
      <Avatar
        src={user.avatarUrl}
        alt={user.name}
        name={user.name}
        color="initials"
        size={size}
        radius="xl"
      />
      {withPresence ? (
        <Box pos="absolute" right={-2} bottom={-2} style={{ lineHeight: 0 }}>
          <PresenceDot userId={user.id} size={Math.max(8, Math.round(size / 4))} />
        </Box>
      ) : null}
    </Box>
  );
}
