import { Box, Center, Group, Highlight, Loader, Stack, Text, UnstyledButton } from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { client, data } from "../../api/client";
import { errorText } from "../../lib/errors";
import { listTime } from "../../lib/format";
import { ContactAvatar, contactName } from "./ContactAvatar";
import { toolKeys } from "./inbox-tools-api";

/** The words to mark in a text: the query's letters and digits, as the server matches them. */
export const queryWords = (q: string) => [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];

/**
 * Search results (R104): conversations of matching contacts, then matching messages. Matches are marked
 * with Mantine's Highlight, which renders the text as text: nothing from a message is ever parsed as HTML.
 */
export function SearchResults({ q, selectedId }: { q: string; selectedId: string | null }) {
  const { t } = useTranslation();
  const contacts = useQuery({
    queryKey: toolKeys.searchContacts(q),
    queryFn: () => data(client.GET("/api/search/contacts", { params: { query: { q, limit: 10 } } })),
    staleTime: 30_000,
  });
  const messages = useQuery({
    queryKey: toolKeys.searchMessages(q),
    queryFn: () => data(client.GET("/api/search/messages", { params: { query: { q, limit: 30 } } })),
    staleTime: 30_000,
  });
  const words = messages.data?.words ?? queryWords(q);
  if (contacts.isPending || messages.isPending)
    return (
      <Center h="100%">
        <Loader size="sm" />
      </Center>
    );
  if (contacts.isError || messages.isError)
    return (
      <Center h="100%" p="md">
        <Text c="red" size="sm">
          {errorText(t, contacts.error ?? messages.error)}
        </Text>
      </Center>
    );
  const people = contacts.data.conversations;
  const hits = messages.data.hits;
  if (!people.length && !hits.length)
    return (
      <Center h="100%" c="dimmed" data-testid="search-empty">
        <Text size="sm">{t("inboxSearch.empty")}</Text>
      </Center>
    );
  return (
    <Box h="100%" style={{ overflowY: "auto" }} data-testid="search-results">
      {people.length ? (
        <>
          <SectionTitle>{t("inboxSearch.contacts")}</SectionTitle>
          {people.map((c) => (
            <ResultRow key={`c-${c.id}`} c={c} selected={c.id === selectedId} testId="search-contact">
              <Highlight size="sm" fw={600} highlight={words} truncate>
                {contactName(c.contact) ?? t("list.unknownContact")}
              </Highlight>
              <Highlight size="xs" c="dimmed" highlight={words} truncate>
                {[c.contact.nickname, c.contact.email, c.contact.phone].filter(Boolean).join(" · ") ||
                  c.connection.name}
              </Highlight>
            </ResultRow>
          ))}
        </>
      ) : null}
      {hits.length ? (
        <>
          <SectionTitle>{t("inboxSearch.messages")}</SectionTitle>
          {hits.map((h) => (
            <ResultRow
              key={`m-${h.message.id}`}
              c={h.conversation}
              selected={h.conversation.id === selectedId}
              testId="search-message"
              at={h.message.createdAt}
            >
              <Text size="sm" fw={600} truncate>
                {contactName(h.conversation.contact) ?? t("list.unknownContact")}
              </Text>
              <Highlight size="xs" c="dimmed" highlight={words} lineClamp={2} data-testid="search-snippet">
                {`${h.message.direction === "outbound" ? `${t("inboxSearch.you")}: ` : ""}${h.message.snippet}`}
              </Highlight>
            </ResultRow>
          ))}
        </>
      ) : null}
    </Box>
  );
}

function SectionTitle({ children }: { children: React.ReactNode }) {
  return (
    <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="md" pt="sm" pb={4}>
      {children}
    </Text>
  );
}

function ResultRow({
  c,
  selected,
  testId,
  at,
  children,
}: {
  c: Conversation;
  selected: boolean;
  testId: string;
  at?: string;
  children: React.ReactNode;
}) {
  const { i18n } = useTranslation();
  const search = useLocation().search;
  return (
    <UnstyledButton
      component={Link}
      to={`/inbox/${c.id}${search}`}
      data-testid={testId}
      data-conversation-id={c.id}
      w="100%"
      px="md"
      py={8}
      bg={selected ? "indigo.0" : undefined}
      style={{ display: "block", borderBottom: "1px solid var(--mantine-color-gray-2)" }}
    >
      <Group gap="sm" wrap="nowrap">
        <ContactAvatar contact={c.contact} channel={c.connection.type} />
        <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
          {children}
        </Stack>
        {at ? (
          <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
            {listTime(at, i18n.language)}
          </Text>
        ) : null}
      </Group>
    </UnstyledButton>
  );
}
