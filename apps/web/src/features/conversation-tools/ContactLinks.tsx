import { ActionIcon, Box, Group, Select, Text, Tooltip } from "@mantine/core";
import { IconLink, IconLinkOff } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { del, get, put } from "../../api/client";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";
import { contactName } from "../inbox/ContactAvatar";

/** The contacts known to be the same person: listed, unlinkable, and searchable to link another. */
export function ContactLinks({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [q, setQ] = useState("");
  const links = useQuery({
    queryKey: ["contact-links", contactId],
    queryFn: () =>
      get<Answer<"/api/contacts/{id}/links">>(`/api/contacts/${contactId}/links`).then((r) => r.contacts),
  });
  const found = useQuery({
    queryKey: ["contact-search", q],
    queryFn: () =>
      get<Answer<"/api/contacts">>(`/api/contacts?q=${encodeURIComponent(q)}&limit=10`).then(
        (r) => r.contacts,
      ),
    enabled: q.trim().length >= 2,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ["contact-links", contactId] });
  const link = useMutation({
    mutationFn: (other: string) => put(`/api/contacts/${contactId}/links/${other}`),
    onSuccess: () => {
      setQ("");
      void refresh();
    },
    onError: (err) => showErrorWithReason(t, err),
  });
  const unlink = useMutation({
    mutationFn: (other: string) => del(`/api/contacts/${contactId}/links/${other}`),
    onSuccess: () => void refresh(),
    onError: (err) => showErrorWithReason(t, err),
  });
  const linked = links.data ?? [];
  const options = (found.data ?? []).filter((c) => c.id !== contactId && !linked.some((l) => l.id === c.id));
  return (
    <Box>
      <Text size="xs" fw={700} mb={4}>
        {t("convTools.contact.links")}
      </Text>
      {linked.map((c) => (
        <Group key={c.id} gap={4} justify="space-between" wrap="nowrap" data-testid="contact-link">
          <Group gap={4} wrap="nowrap">
            <IconLink size={12} />
            <Text size="xs" truncate>
              {contactName(c) ?? t("list.unknownContact")}
            </Text>
          </Group>
          <Tooltip label={t("convTools.contact.unlink")}>
            <ActionIcon
              size="sm"
              variant="subtle"
              color="gray"
              onClick={() => unlink.mutate(c.id)}
              aria-label={t("convTools.contact.unlink")}
            >
              <IconLinkOff size={14} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ))}
      <Select
        size="xs"
        mt={4}
        searchable
        searchValue={q}
        onSearchChange={setQ}
        placeholder={t("convTools.contact.linkSearch")}
        data={options.map((c) => ({ value: c.id, label: contactName(c) ?? c.id }))}
        value={null}
        onChange={(v) => v && link.mutate(v)}
        filter={({ options: o }) => o}
        nothingFoundMessage={q.trim().length >= 2 ? t("convTools.contact.noMatches") : undefined}
        data-testid="contact-link-search"
      />
    </Box>
  );
}
