import { ActionIcon, Badge, Box, Group, Select, Text, Tooltip } from "@mantine/core";
import { IconPin, IconPinnedFilled, IconX } from "@tabler/icons-react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { del, get, put } from "../../api/client";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";
import type { Contact } from "./contact";

/** The contact's tags: pinned ones first in the list, each removable; any other tag can be added. */
export function ContactTags({ contact, onChange }: { contact: Contact; onChange: (c: Contact) => void }) {
  const { t } = useTranslation();
  const all = useQuery({
    queryKey: ["tags"],
    queryFn: () => get<Answer<"/api/tags">>("/api/tags").then((r) => r.tags),
    staleTime: 60_000,
  });
  const set = useMutation({
    mutationFn: (v: { tagId: string; pinned: boolean }) =>
      put<Answer<"/api/contacts/{id}/tags/{tagId}", "put">>(`/api/contacts/${contact.id}/tags/${v.tagId}`, {
        pinned: v.pinned,
      }),
    onSuccess: (r) => onChange(r.contact),
    onError: (err) => showErrorWithReason(t, err),
  });
  const remove = useMutation({
    mutationFn: (tagId: string) => del(`/api/contacts/${contact.id}/tags/${tagId}`),
    onSuccess: (_r, tagId) => onChange({ ...contact, tags: contact.tags.filter((x) => x.id !== tagId) }),
    onError: (err) => showErrorWithReason(t, err),
  });
  const free = (all.data ?? []).filter((x) => !contact.tags.some((c) => c.id === x.id));
  return (
    <Box>
      <Text size="xs" fw={700} mb={4}>
        {t("convTools.contact.tags")}
      </Text>
      <Group gap={4} mb={4}>
        {contact.tags.map((tag) => (
          <Badge
            key={tag.id}
            color={tag.color}
            variant={tag.pinned ? "filled" : "light"}
            tt="none"
            data-testid="contact-tag"
            data-pinned={tag.pinned || undefined}
            leftSection={
              <Tooltip label={tag.pinned ? t("convTools.contact.unpin") : t("convTools.contact.pin")}>
                <ActionIcon
                  size={14}
                  variant="transparent"
                  color={tag.pinned ? "white" : tag.color}
                  onClick={() => set.mutate({ tagId: tag.id, pinned: !tag.pinned })}
                  aria-label={tag.pinned ? t("convTools.contact.unpin") : t("convTools.contact.pin")}
                >
                  {tag.pinned ? <IconPinnedFilled size={10} /> : <IconPin size={10} />}
                </ActionIcon>
              </Tooltip>
            }
            rightSection={
              <ActionIcon
                size={14}
                variant="transparent"
                color={tag.pinned ? "white" : tag.color}
                onClick={() => remove.mutate(tag.id)}
                aria-label={t("convTools.contact.removeTag")}
              >
                <IconX size={10} />
              </ActionIcon>
            }
          >
            {tag.name}
          </Badge>
        ))}
      </Group>
      <Select
        size="xs"
        searchable
        placeholder={t("convTools.contact.addTag")}
        data={free.map((x) => ({ value: x.id, label: x.name }))}
        value={null}
        onChange={(v) => v && set.mutate({ tagId: v, pinned: false })}
        nothingFoundMessage={t("convTools.contact.noTags")}
        data-testid="contact-add-tag"
      />
    </Box>
  );
}
