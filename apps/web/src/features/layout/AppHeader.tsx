import { Badge, Group, Menu, Text, ThemeIcon, UnstyledButton } from "@mantine/core";
import {
  IconAddressBook,
  IconChevronDown,
  IconInbox,
  IconLogout,
  IconMessages,
  IconPlugConnected,
  IconWifiOff,
} from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { post, setCsrfToken } from "../../api/client";
import { keys, type Session, useUnreadCount } from "../../api/queries";
import { LanguageSwitch } from "../LanguageSwitch";

export const isAdminRole = (role: string) => role === "owner" || role === "admin";

/** The header of every signed-in page: logo, workspace, unread badge, language, and the user menu. */
export function AppHeader({
  session,
  socket = "open",
}: {
  session: Session;
  socket?: "open" | "connecting" | "reconnecting" | string;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const unread = useUnreadCount();
  const signOut = async () => {
    await post("/api/auth/sign-out").catch(() => undefined);
    setCsrfToken(null);
    qc.clear();
    qc.setQueryData(keys.session, null);
  };
  return (
    <Group h="100%" justify="space-between" wrap="nowrap">
      <Group gap="sm" wrap="nowrap">
        <UnstyledButton component={Link} to="/inbox?view=mine" aria-label={t("nav.inbox")}>
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon size={32} radius="md">
              <IconMessages size={20} />
            </ThemeIcon>
            <Text fw={700} size="lg">
              {t("app.name")}
            </Text>
          </Group>
        </UnstyledButton>
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
            <Menu.Item component={Link} to="/inbox?view=mine" leftSection={<IconInbox size={14} />}>
              {t("nav.inbox")}
            </Menu.Item>
            <Menu.Item
              component={Link}
              to="/contacts"
              leftSection={<IconAddressBook size={14} />}
              data-testid="menu-contacts"
            >
              {t("nav.contacts")}
            </Menu.Item>
            {isAdminRole(session.user.role) ? (
              <Menu.Item
                component={Link}
                to="/settings/channels"
                leftSection={<IconPlugConnected size={14} />}
                data-testid="menu-channels"
              >
                {t("nav.channels")}
              </Menu.Item>
            ) : null}
            <Menu.Divider />
            <Menu.Item leftSection={<IconLogout size={14} />} onClick={signOut}>
              {t("auth.signOut")}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
    </Group>
  );
}

/** A signed-in page other than the inbox: the header and a centred, scrolling content column. */
export function PageShell({ session, children }: { session: Session; children: ReactNode }) {
  return (
    <div style={{ minHeight: "100vh", background: "var(--mantine-color-gray-0)" }}>
      <header
        style={{
          height: 56,
          padding: "0 var(--mantine-spacing-md)",
          background: "white",
          borderBottom: "1px solid var(--mantine-color-gray-3)",
          position: "sticky",
          top: 0,
          zIndex: 10,
        }}
      >
        <AppHeader session={session} />
      </header>
      <main
        style={{
          maxWidth: 1040,
          margin: "0 auto",
          padding: "var(--mantine-spacing-xl) var(--mantine-spacing-md)",
        }}
      >
        {children}
      </main>
    </div>
  );
}
