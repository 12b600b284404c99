import { Box, Drawer, Group } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useLocation } from "react-router";
import type { Session } from "../../api/queries";
import { MobileNav, NavRail, RAIL_WIDTH, SectionNav } from "./NavRail";
import { sectionOf } from "./pages";

/**
 * The frame of a signed-in page other than the inbox: the header, the navigation rail (a menu behind the
 * burger on phones), the section's side navigation in settings and reports, and the page's content.
 */
export function PageFrame({
  session,
  header,
  children,
  wide,
}: {
  session: Session;
  header: (nav: { opened: boolean; toggle: () => void }) => ReactNode;
  children: ReactNode;
  wide: boolean;
}) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const section = sectionOf(pathname);
  const [opened, menu] = useDisclosure(false);
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
        {header({ opened, toggle: menu.toggle })}
      </header>
      <Drawer opened={opened} onClose={menu.close} size={280} title={t("navigation.menu")} hiddenFrom="sm">
        <MobileNav session={session} onNavigate={menu.close} />
      </Drawer>
      <Group align="flex-start" gap={0} wrap="nowrap">
        <Box
          visibleFrom="sm"
          style={{
            position: "sticky",
            top: 56,
            height: "calc(100vh - 56px)",
            flexShrink: 0,
            width: RAIL_WIDTH,
            background: "white",
            borderRight: "1px solid var(--mantine-color-gray-3)",
          }}
        >
          <NavRail session={session} />
        </Box>
        {section ? (
          <Box
            visibleFrom="sm"
            p="xs"
            style={{
              position: "sticky",
              top: 56,
              height: "calc(100vh - 56px)",
              overflowY: "auto",
              flexShrink: 0,
              width: 230,
              background: "white",
              borderRight: "1px solid var(--mantine-color-gray-3)",
            }}
          >
            <SectionNav session={session} section={section} />
          </Box>
        ) : null}
        <main
          style={{
            flex: 1,
            minWidth: 0,
            maxWidth: wide ? 1400 : 1040,
            margin: "0 auto",
            padding: "var(--mantine-spacing-xl) var(--mantine-spacing-md)",
          }}
        >
          {children}
        </main>
      </Group>
    </div>
  );
}
