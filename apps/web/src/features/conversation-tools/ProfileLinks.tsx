import { Anchor, Box, Group, Text } from "@mantine/core";
import { IconExternalLink } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { get } from "../../api/client";
import type { Answer } from "../../api/types";
import { ChannelIcon } from "../inbox/ChannelIcon";

type Profiles = Answer<"/api/contacts/{id}/profiles">["profiles"];

export const profilesKey = (contactId: string) => ["contact-profiles", contactId] as const;

/** The contact's network profile links (R211), as the server builds them: only http(s) links of the network. */
export function useProfileLinks(contactId: string) {
  return useQuery({
    queryKey: profilesKey(contactId),
    queryFn: () =>
      get<Answer<"/api/contacts/{id}/profiles">>(`/api/contacts/${contactId}/profiles`).then(
        (r) => r.profiles,
      ),
    staleTime: 60_000,
  });
}

/** What a link shows: its address without the scheme (`t.me/anna`), which says where it leads. */
const shown = (url: string) => url.replace(/^https?:\/\//, "");
const safe = (url: string) => /^https?:\/\//.test(url);

/** The header's link to the profile on the conversation's own network, when there is one. */
export function HeaderProfileLink({ contactId, connectionId }: { contactId: string; connectionId: string }) {
  const { t } = useTranslation();
  const profile = useProfileLinks(contactId).data?.find((p) => p.connectionId === connectionId);
  if (!profile || !safe(profile.url)) return null;
  return (
    <Anchor
      href={profile.url}
      target="_blank"
      rel="noopener noreferrer"
      size="xs"
      style={{ flexShrink: 0, whiteSpace: "nowrap" }}
      aria-label={`${t("agentDay2.profile.short")}: ${t("agentDay2.profile.open", { address: shown(profile.url) })}`}
      data-testid="header-profile-link"
    >
      <Group gap={2} wrap="nowrap" component="span">
        {t("agentDay2.profile.short")}
        <IconExternalLink size={12} aria-hidden />
      </Group>
    </Anchor>
  );
}

/** The contact panel's list of network profiles, one per network the contact wrote from. */
export function ProfileLinks({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const profiles = useProfileLinks(contactId).data;
  const unique: Profiles = [];
  for (const p of profiles ?? []) if (safe(p.url) && !unique.some((u) => u.url === p.url)) unique.push(p);
  return (
    <Box>
      <Text size="xs" fw={700} mb={4}>
        {t("agentDay2.profile.title")}
      </Text>
      {unique.length ? (
        unique.map((p) => (
          <Group key={p.url} gap={6} wrap="nowrap">
            <ChannelIcon type={p.channel} size={14} />
            <Anchor
              href={p.url}
              target="_blank"
              rel="noopener noreferrer"
              size="xs"
              style={{ overflowWrap: "anywhere" }}
              data-testid="contact-profile-link"
            >
              {shown(p.url)}
            </Anchor>
          </Group>
        ))
      ) : (
        <Text size="xs" c="dimmed" data-testid="contact-profile-none">
          {t("agentDay2.profile.none")}
        </Text>
      )}
    </Box>
  );
}
