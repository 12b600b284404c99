import { ActionIcon, Badge, Box, Group, Select, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPin, IconPinnedFilled, IconX } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { del, get, post, put } from "../../api/client";
import { sessionQuery } from "../../api/queries";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";
import { can } from "../../lib/permissions";
import type { Contact } from "./contact";

/**
 * The contact's tags: pinned ones first in the list, each removable; any other tag can be added, and those
 * who manage tags create a new one by typing its name. The tags' counts (the inbox filter's) refresh after.
 */
const NEW = "__new__";
export function ContactTags({ contact, onChange }: { contact: Contact; onChange: (c: Contact) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const session = useQuery(sessionQuery).data;
  const [search, setSearch] = useState("");
  const refreshCounts = () => qc.invalidateQueries({ queryKey: ["tags"] });
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
    onSuccess: (r) => {
      onChange(r.contact);
      void refreshCounts();
    },
    onError: (err) => showErrorWithReason(t, err),
  });
  const create = useMutation({
    mutationFn: (name: string) => post<Answer<"/api/tags", "post">>("/api/tags", { name }),
    onSuccess: (r) => {
      notifications.show({ color: "green", message: t("agentDay.tags.created", { name: r.tag.name }) });
      set.mutate({ tagId: r.tag.id, pinned: false });
    },
    onError: (err) => showErrorWithReason(t, err),
  });
  const remove = useMutation({
    mutationFn: (tagId: string) => del(`/api/contacts/${contact.id}/tags/${tagId}`),
    onSuccess: (_r, tagId) => {
      onChange({ ...contact, tags: contact.tags.filter((x) => x.id !== tagId) });
      void refreshCounts();
    },
    onError: (err) => showErrorWithReason(t, err),
  });
  const free = (all.data ?? []).filter((x) => !contact.tags.some((c) => c.id === x.id));
  const typed = search.trim();
  const canCreate =
    !!session &&
    can(session, "content.manage") &&
    typed.length > 0 &&
    typed.length <= 64 &&
    !(all.data ?? []).some((x) => x.name.toLowerCase() === typed.toLowerCase());
  const options = [
    ...free.map((x) => ({ value: x.id, label: x.name })),
    ...(canCreate ? [{ value: NEW, label: t("agentDay.tags.create", { name: typed }) }] : []),
  ];
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
        data={options}
        value={null}
        searchValue={search}
        onSearchChange={setSearch}
        filter={({ options: list, search: q }) =>
          list.filter(
            (o) =>
              "value" in o && (o.value === NEW || o.label.toLowerCase().includes(q.trim().toLowerCase())),
          )
        }
        onChange={(v) => {
          if (v === NEW) create.mutate(typed);
          else if (v) set.mutate({ tagId: v, pinned: false });
          setSearch("");
        }}
        nothingFoundMessage={t("convTools.contact.noTags")}
        data-testid="contact-add-tag"
      />
    </Box>
  );
}
