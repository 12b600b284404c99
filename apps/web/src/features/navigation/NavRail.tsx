import { NavLink, Stack, Text, UnstyledButton } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import type { Session } from "../../api/queries";
import { destinations } from "./destinations";
import { allowedPages, type Section, sectionOf } from "./pages";
import "./rail.css";

/**
 * The width of the rail on wide screens, the same in every language: each label fits on one line at 11 px
 * (the longest, Russian "Настройки" and "Входящие", need about 68 px of the 76 px a link leaves for text).
 */
export const RAIL_WIDTH = 88;

/** The navigation rail: the app's destinations, always in view on wide screens, reachable by keyboard. */
export function NavRail({ session }: { session: Session }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  return (
    <nav aria-label={t("navigation.rail.label")} data-testid="nav-rail" style={{ width: RAIL_WIDTH }}>
      <Stack gap={4} align="stretch" py="xs">
        {destinations(session).map((d) => {
          const active = d.matches(pathname);
          return (
            <UnstyledButton
              key={d.key}
              component={Link}
              to={d.to}
              aria-current={active ? "page" : undefined}
              data-testid={`rail-${d.key}`}
              className="parley-rail-link"
              data-active={active || undefined}
            >
              <d.icon size={22} stroke={1.6} />
              <Text size="11px" fw={600} lh={1.2} className="parley-rail-label" data-testid="rail-label">
                {t(d.label)}
              </Text>
            </UnstyledButton>
          );
        })}
      </Stack>
    </nav>
  );
}

/** The phone menu: the same destinations as the rail, and the pages of the section one is in. */
export function MobileNav({ session, onNavigate }: { session: Session; onNavigate?: () => void }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const section = sectionOf(pathname);
  return (
    <nav aria-label={t("navigation.rail.label")} data-testid="mobile-nav">
      <Stack gap={2}>
        {destinations(session).map((d) => (
          <NavLink
            key={d.key}
            component={Link}
            to={d.to}
            label={t(d.label)}
            leftSection={<d.icon size={18} stroke={1.6} />}
            active={d.matches(pathname)}
            onClick={onNavigate}
            data-testid={`mobile-${d.key}`}
            style={{ borderRadius: "var(--mantine-radius-md)" }}
          />
        ))}
      </Stack>
      {section ? <SectionLinks session={session} section={section} onNavigate={onNavigate} /> : null}
    </nav>
  );
}

/** A section's side navigation (settings, reports): its pages the person may open, in their groups. */
export function SectionNav({ session, section }: { session: Session; section: Section }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t(section.title)} data-testid={`${section.key}-nav`}>
      <Text component="h2" size="xs" fw={700} c="gray.7" tt="uppercase" px="sm" py={6} m={0}>
        {t(section.title)}
      </Text>
      <SectionLinks session={session} section={section} />
    </nav>
  );
}

function SectionLinks({
  session,
  section,
  onNavigate,
}: {
  session: Session;
  section: Section;
  onNavigate?: (() => void) | undefined;
}) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const pages = allowedPages(session, section.pages);
  const groups = [...new Set(pages.map((p) => p.group))];
  return (
    <Stack gap={2} mt="xs">
      {groups.map((group) => (
        <Stack
          key={group ?? "all"}
          gap={2}
          role="group"
          aria-label={group ? t(`navigation.settings.${group}`) : undefined}
        >
          {group ? (
            <Text size="xs" c="gray.7" fw={600} px="sm" pt="xs">
              {t(`navigation.settings.${group}`)}
            </Text>
          ) : null}
          {pages
            .filter((p) => p.group === group)
            .map((p) => (
              <NavLink
                key={p.path}
                component={Link}
                to={p.path}
                label={t(p.label)}
                leftSection={<p.icon size={16} stroke={1.6} />}
                active={pathname === p.path}
                aria-current={pathname === p.path ? "page" : undefined}
                onClick={onNavigate}
                data-testid={`section-link-${p.path.split("/").pop()}`}
                style={{ borderRadius: "var(--mantine-radius-md)" }}
              />
            ))}
        </Stack>
      ))}
    </Stack>
  );
}
