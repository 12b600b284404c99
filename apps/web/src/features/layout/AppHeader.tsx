import { Badge, Box, Burger, Group, Menu, Text, ThemeIcon, UnstyledButton } from "@mantine/core";
import { IconChevronDown, IconInbox, IconLogout, IconMessages, IconWifiOff } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { Fragment, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { client, setCsrfToken } from "../../api/client";
import { keys, type Session, useUnreadCount } from "../../api/queries";
import { can } from "../../lib/permissions";
import type { SocketState } from "../../realtime/socket";
import { useRealtime } from "../../realtime/useRealtime";
import { saveLanguage } from "../account/account-api";
import { PresenceControl } from "../account/PresenceControl";
import { UserAvatar } from "../account/UserAvatar";
import { LanguageSwitch } from "../LanguageSwitch";
import { PageFrame } from "../navigation/PageFrame";
import { NotificationBell } from "../notifications/NotificationBell";
import { MENU } from "./menu-items";

/** The header of every signed-in page: logo, workspace, unread badge, language, and the user menu. */
export function AppHeader({
  session,
  socket,
  nav,
}: {
  session: Session;
  /** The realtime socket's state (`data-socket` on the header: the browser tests wait for "open"). */
  socket: SocketState;
  /** A page with a side navigation (the inbox's views) toggles it with a burger on narrow screens. */
  nav?: { opened: boolean; toggle: () => void };
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const unread = useUnreadCount();
  const signOut = async () => {
    await client.POST("/api/auth/sign-out").catch(() => undefined);
    setCsrfToken(null);
    // The session becomes null in place (the app's observer sees it and shows the sign-in page); clearing the
    // whole cache instead would detach that observer and leave the signed-in pages up.
    qc.setQueryData(keys.session, null);
    qc.removeQueries({
      predicate: (q) => q.queryKey[0] !== keys.session[0] && q.queryKey[0] !== keys.setup[0],
    });
  };
  return (
    <Group h="100%" justify="space-between" wrap="nowrap" data-socket={socket}>
      <Group gap="sm" wrap="nowrap">
        {nav ? (
          <Burger
            opened={nav.opened}
            onClick={nav.toggle}
            hiddenFrom="sm"
            size="sm"
            aria-label={t("account.nav.menu")}
            data-testid="nav-burger"
          />
        ) : null}
        <UnstyledButton
          component={Link}
          to="/inbox?view=mine"
          aria-label={`${t("app.name")} — ${t("nav.inbox")}`}
        >
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon size={32} radius="md">
              <IconMessages size={20} />
            </ThemeIcon>
            <Text fw={700} size="lg" visibleFrom="xs">
              {t("app.name")}
            </Text>
          </Group>
        </UnstyledButton>
        <Text c="gray.7" size="sm" visibleFrom="sm">
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
          visibleFrom="sm"
          size="lg"
          tt="none"
          variant={unread.data ? "filled" : "light"}
          color={unread.data ? "red.9" : "gray"}
          c={unread.data ? undefined : "gray.8"}
          leftSection={<IconInbox size={14} />}
        >
          {t("header.unread", { count: unread.data ?? 0 })}
        </Badge>
        <Badge
          hiddenFrom="sm"
          size="lg"
          variant={unread.data ? "filled" : "light"}
          color={unread.data ? "red.9" : "gray"}
          leftSection={<IconInbox size={14} />}
          aria-label={t("header.unread", { count: unread.data ?? 0 })}
        >
          {unread.data ?? 0}
        </Badge>
        <NotificationBell />
        <PresenceControl userId={session.user.id} />
        <Box visibleFrom="sm">
          <LanguageSwitch onChange={(lang) => void saveLanguage(qc, lang).catch(() => undefined)} />
        </Box>
        <Menu position="bottom-end">
          <Menu.Target>
            <UnstyledButton
              data-testid="user-menu"
              aria-label={`${session.user.name} · ${t("account.nav.menu")}`}
            >
              <Group gap={6} wrap="nowrap">
                <Text size="sm" fw={500} visibleFrom="sm">
                  {session.user.name}
                </Text>
                <IconChevronDown size={14} className="mantine-visible-from-sm" />
                <Box hiddenFrom="sm" style={{ lineHeight: 0 }}>
                  <UserAvatar user={session.user} size={30} withPresence={false} />
                </Box>
              </Group>
            </UnstyledButton>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>{session.user.email}</Menu.Label>
            {MENU.map((group) => {
              const shown = group.filter((e) => !e.permission || can(session, e.permission));
              return shown.length ? (
                <Fragment key={shown[0]!.to}>
                  {shown.map((e) => (
                    <Menu.Item
                      key={e.to}
                      component={Link}
                      to={e.to}
                      leftSection={<e.icon size={14} />}
                      data-testid={e.testId}
                    >
                      {t(e.label)}
                    </Menu.Item>
                  ))}
                  <Menu.Divider />
                </Fragment>
              ) : null;
            })}
            <Menu.Item leftSection={<IconLogout size={14} />} onClick={signOut} data-testid="menu-sign-out">
              {t("auth.signOut")}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
    </Group>
  );
}

/** A signed-in page other than the inbox: the header and a centred, scrolling content column. */
export function PageShell({
  session,
  children,
  wide = false,
}: {
  session: Session;
  children: ReactNode;
  /** Wide tables and charts (the log, analytics). */
  wide?: boolean;
}) {
  // Every signed-in page keeps the socket: live badges, and the agent stays online across pages.
  const socket = useRealtime(session.user.id);
  return (
    <PageFrame
      session={session}
      wide={wide}
      header={(nav) => <AppHeader session={session} socket={socket} nav={nav} />}
    >
      {children}
    </PageFrame>
  );
}
