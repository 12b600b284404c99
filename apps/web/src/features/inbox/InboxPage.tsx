import { AppShell, Box, NavLink, Stack, Text } from "@mantine/core";
import { IconArchive, IconInbox, IconMessages, IconUser, IconUserQuestion } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { isView, type Session, VIEWS, type View } from "../../api/queries";
import { RealtimeConnection } from "../../realtime/socket";
import { AppHeader } from "../layout/AppHeader";
import { ConversationList } from "./ConversationList";
import { ConversationPane } from "./ConversationPane";

const VIEW_ICONS = { mine: IconUser, all: IconInbox, unassigned: IconUserQuestion, closed: IconArchive };

function useRealtime(userId: string) {
  const qc = useQueryClient();
  const conn = useMemo(() => new RealtimeConnection(qc, userId), [qc, userId]);
  useEffect(() => {
    conn.start();
    return () => conn.stop();
  }, [conn]);
  return useSyncExternalStore(
    (fn) => conn.subscribe(fn),
    () => conn.state,
  );
}

/** The inbox: views on the left, the conversation list, and the open conversation. */
export function InboxPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const { conversationId } = useParams();
  const raw = params.get("view");
  const view: View = isView(raw) ? raw : "mine";
  const socket = useRealtime(session.user.id);

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 230, breakpoint: "sm" }} padding={0}>
      <AppShell.Header px="md">
        <AppHeader session={session} socket={socket} />
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <Stack gap={2}>
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" py={6}>
            {t("views.title")}
          </Text>
          {VIEWS.map((v) => {
            const Icon = VIEW_ICONS[v];
            return (
              <NavLink
                key={v}
                component={Link}
                to={`/inbox${conversationId ? `/${conversationId}` : ""}?view=${v}`}
                active={v === view}
                label={t(`views.${v}`)}
                leftSection={<Icon size={18} stroke={1.6} />}
                data-testid={`view-${v}`}
                style={{ borderRadius: "var(--mantine-radius-md)" }}
              />
            );
          })}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main h="100vh">
        <Box display="flex" h="calc(100vh - 56px)" style={{ overflow: "hidden" }}>
          <Box
            w={360}
            miw={300}
            style={{ borderRight: "1px solid var(--mantine-color-gray-3)", flexShrink: 0 }}
          >
            <ConversationList view={view} selectedId={conversationId ?? null} />
          </Box>
          <Box style={{ flex: 1, minWidth: 0 }}>
            {conversationId ? (
              <ConversationPane key={conversationId} id={conversationId} me={session.user.id} />
            ) : (
              <Stack h="100%" align="center" justify="center" gap={4} c="dimmed">
                <IconMessages size={48} stroke={1.2} />
                <Text fw={600}>{t("conversation.select")}</Text>
                <Text size="sm">{t("conversation.selectHint")}</Text>
              </Stack>
            )}
          </Box>
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}
