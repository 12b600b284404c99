import { AppShell, Box, Button, Group, ScrollArea, Stack, Text } from "@mantine/core";
import { useDisclosure, useMediaQuery } from "@mantine/hooks";
import { IconArrowLeft, IconMessages } from "@tabler/icons-react";
import { lazy, Suspense, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { isView, type Session, type View } from "../../api/queries";
import { can } from "../../lib/permissions";
import { useRealtime } from "../../realtime/useRealtime";
import { AppHeader } from "../layout/AppHeader";
import { ExportButton } from "../log/ExportButton";
import { InboxViews } from "../navigation/InboxViews";
import { MobileNav, NavRail, RAIL_WIDTH } from "../navigation/NavRail";
import { ConversationPane } from "./ConversationPane";
import { listParams, readFilters } from "./filters";
import { InboxListColumn } from "./InboxListColumn";
import { HotkeysHelp, useInboxHotkeys } from "./useInboxHotkeys";

// Shown only to a new workspace's admins: it loads on demand, not with the inbox's first paint.
const FirstRunChecklist = lazy(() =>
  import("../navigation/FirstRunChecklist").then((m) => ({ default: m.FirstRunChecklist })),
);

/** The inbox: views on the left, the conversation list, and the open conversation. */
export function InboxPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const { conversationId } = useParams();
  const raw = params.get("view");
  const view: View = isView(raw) ? raw : "mine";
  const socket = useRealtime(session.user.id);
  const hotkeys = useInboxHotkeys({ view, selectedId: conversationId ?? null });
  // Narrow screens: the views behind a burger; the list and the conversation are separate screens.
  const [navOpened, nav] = useDisclosure(false);
  const narrow = useMediaQuery("(max-width: 48em)") ?? false;
  // The app's header does not change with the open conversation: the same element is kept, so switching
  // conversations does not render it again.
  const header = useMemo(
    () => <AppHeader session={session} socket={socket} nav={{ opened: navOpened, toggle: nav.toggle }} />,
    [session, socket, navOpened, nav.toggle],
  );

  // The rail and the views do not change with the open conversation either: the same element is kept while
  // the view, the filters and the menu's state are. The phone's menu is drawn only on a narrow screen.
  const paramsKey = params.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the URL's text is the identity of the filters
  const navbar = useMemo(
    () => (
      <Group h="100%" gap={0} wrap="nowrap" align="stretch">
        <Box visibleFrom="sm" style={{ borderRight: "1px solid var(--mantine-color-gray-3)", flexShrink: 0 }}>
          <NavRail session={session} />
        </Box>
        <ScrollArea style={{ flex: 1, minWidth: 0 }} p="xs">
          <InboxViews view={view} search={paramsKey} onNavigate={nav.close} />
          {can(session, "data.export") ? (
            // The export takes the list's filters from the URL (not its sort: a file is in activity order).
            <ExportButton scope="inbox" filters={listParams(view, readFilters(params), false)} compact />
          ) : null}
          {narrow ? (
            <Box mt="md" pt="xs" style={{ borderTop: "1px solid var(--mantine-color-gray-3)" }}>
              <MobileNav session={session} onNavigate={nav.close} />
            </Box>
          ) : null}
        </ScrollArea>
      </Group>
    ),
    [session, view, paramsKey, nav.close, narrow],
  );

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{
        width: { sm: RAIL_WIDTH + 220, lg: RAIL_WIDTH + 240 },
        breakpoint: "sm",
        collapsed: { mobile: !navOpened },
      }}
      padding={0}
    >
      <AppShell.Header px="md">{header}</AppShell.Header>
      <AppShell.Navbar>{navbar}</AppShell.Navbar>
      <AppShell.Main h="100vh">
        <Box display="flex" h="calc(100vh - 56px)" style={{ overflow: "hidden" }}>
          <Box
            w={narrow ? "100%" : { base: 300, lg: 360 }}
            miw={300}
            display={narrow && conversationId ? "none" : "block"}
            style={{ borderRight: "1px solid var(--mantine-color-gray-3)", flexShrink: 0 }}
          >
            <Box h="100%" display="flex" style={{ flexDirection: "column" }}>
              <Suspense fallback={null}>
                <FirstRunChecklist session={session} />
              </Suspense>
              <Box style={{ flex: 1, minHeight: 0 }}>
                <InboxListColumn view={view} selectedId={conversationId ?? null} session={session} />
              </Box>
            </Box>
          </Box>
          <Box style={{ flex: 1, minWidth: 0 }} display={narrow && !conversationId ? "none" : "block"}>
            {narrow && conversationId ? (
              <Button
                component={Link}
                to={`/inbox?view=${view}`}
                variant="subtle"
                size="compact-sm"
                h={32}
                leftSection={<IconArrowLeft size={16} />}
                data-testid="back-to-list"
              >
                {t("account.nav.back")}
              </Button>
            ) : null}
            {conversationId ? (
              <Box h={narrow ? "calc(100% - 32px)" : "100%"}>
                <ConversationPane id={conversationId} me={session.user.id} />
              </Box>
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
      <HotkeysHelp opened={hotkeys.helpOpen} onClose={hotkeys.closeHelp} />
    </AppShell>
  );
}
