import {
  AppShell,
  Badge,
  Box,
  Group,
  Menu,
  NavLink,
  Stack,
  Text,
  ThemeIcon,
  UnstyledButton,
} from "@mantine/core";
import {
  IconArchive,
  IconChevronDown,
  IconInbox,
  IconLogout,
  IconMessages,
  IconUser,
  IconUserQuestion,
  IconWifiOff,
} from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { post, setCsrfToken } from "../../api/client";
import { isView, keys, type Session, useUnreadCount, VIEWS, type View } from "../../api/queries";
import { RealtimeConnection } from "../../realtime/socket";
import { LanguageSwitch } from "../LanguageSwitch";
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
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const { conversationId } = useParams();
  const raw = params.get("view");
  const view: View = isView(raw) ? raw : "mine";
  const socket = useRealtime(session.user.id);
  const unread = useUnreadCount();

  const signOut = async () => {
    await post("/api/auth/sign-out").catch(() => undefined);
    setCsrfToken(null);
    qc.clear();
    qc.setQueryData(keys.session, null);
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 230, breakpoint: "sm" }} padding={0}>
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon size={32} radius="md">
              <IconMessages size={20} />
            </ThemeIcon>
            <Text fw={700} size="lg">
              {t("app.name")}
            </Text>
            <Text c="dimmed" size="sm" visibleFrom="sm">
              {session.workspace.name}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {socket !== "open" ? (
              <Badge color="orange" variant="light" leftSection={<IconWifiOff size={12} />}>
                {socket === "connecting" ? t("header.connecting") : t("header.reconnecting")}
              </Badge>
            ) : null}
            <Badge
              data-testid="unread-count"
              data-count={unread.data ?? 0}
              size="lg"
              tt="none"
              variant={unread.data ? "filled" : "light"}
              color={unread.data ? "red" : "gray"}
              leftSection={<IconInbox size={14} />}
            >
              {t("header.unread", { count: unread.data ?? 0 })}
            </Badge>
            <LanguageSwitch />
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton data-testid="user-menu">
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={500}>
                      {session.user.name}
                    </Text>
                    <IconChevronDown size={14} />
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{session.user.email}</Menu.Label>
                <Menu.Item leftSection={<IconLogout size={14} />} onClick={signOut}>
                  {t("auth.signOut")}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
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
