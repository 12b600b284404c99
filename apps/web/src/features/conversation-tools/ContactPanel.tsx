import { Box, Button, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Conversation } from "@parley/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { get, patch } from "../../api/client";
import { keys } from "../../api/queries";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";
import { ContactRecords } from "../linked-records/RecordBadges";
import { ContactLinks } from "./ContactLinks";
import { ContactTags } from "./ContactTags";
import type { Contact } from "./contact";
import { ProfileLinks, profilesKey } from "./ProfileLinks";

const FIELDS = ["name", "nickname", "company", "email", "phone"] as const;
type Form = Record<(typeof FIELDS)[number], string>;

const formOf = (c: Contact | undefined): Form => ({
  name: c?.name ?? "",
  nickname: c?.nickname ?? "",
  company: c?.company ?? "",
  email: c?.email ?? "",
  phone: c?.phone ?? "",
});

/** The conversation's contact: its fields, tags, where it came from and the contacts linked to it (R211). */
export function ContactPanel({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const id = conversation.contact.id;
  const contact = useQuery({
    queryKey: ["contact", id],
    queryFn: () => get<Answer<"/api/contacts/{id}">>(`/api/contacts/${id}`).then((r) => r.contact),
  });
  const [form, setForm] = useState<Form>(formOf(undefined));
  useEffect(() => {
    if (contact.data) setForm(formOf(contact.data));
  }, [contact.data]);
  const setContact = (c: Contact) => {
    qc.setQueryData(["contact", id], c);
    // A changed nickname may change the network profile's link.
    void qc.invalidateQueries({ queryKey: profilesKey(id) });
    qc.setQueryData<Conversation>(keys.conversation(conversation.id), (x) =>
      x
        ? {
            ...x,
            contact: { ...x.contact, name: c.name, nickname: c.nickname, email: c.email, phone: c.phone },
          }
        : x,
    );
  };
  const save = useMutation({
    mutationFn: () =>
      patch<Answer<"/api/contacts/{id}", "patch">>(
        `/api/contacts/${id}`,
        Object.fromEntries(FIELDS.map((f) => [f, form[f].trim() || null])),
      ),
    onSuccess: (r) => {
      setContact(r.contact);
      notifications.show({ color: "teal", message: t("convTools.contact.saved") });
    },
    onError: (err) => showErrorWithReason(t, err),
  });
  return (
    <Stack gap="xs">
      {FIELDS.map((f) => (
        <TextInput
          key={f}
          size="xs"
          label={t(`convTools.contact.${f}`)}
          value={form[f]}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setForm((cur) => ({ ...cur, [f]: v }));
          }}
          data-testid={`contact-${f}`}
        />
      ))}
      <Button size="xs" loading={save.isPending} onClick={() => save.mutate()} data-testid="contact-save">
        {t("convTools.save")}
      </Button>
      {contact.data ? <ContactTags contact={contact.data} onChange={setContact} /> : null}
      <ProfileLinks contactId={id} />
      <ContactSource source={conversation.source} />
      <ContactLinks contactId={id} />
      <ContactRecords contactId={id} />
    </Stack>
  );
}

/** Where the conversation came from (the page, the campaign…), as the channel reported it. */
function ContactSource({ source }: { source: Conversation["source"] }) {
  const { t } = useTranslation();
  const entries = Object.entries(source ?? {});
  return (
    <Box>
      <Text size="xs" fw={700} mb={4}>
        {t("convTools.contact.source")}
      </Text>
      {entries.length ? (
        entries.map(([k, v]) => (
          <Text key={k} size="xs" style={{ overflowWrap: "anywhere" }} data-testid="contact-source">
            <Text span c="dimmed" size="xs">
              {t(`convTools.source.${k}` as never, { defaultValue: k })}:
            </Text>{" "}
            {v}
          </Text>
        ))
      ) : (
        <Text size="xs" c="dimmed">
          {t("convTools.contact.noSource")}
        </Text>
      )}
    </Box>
  );
}
