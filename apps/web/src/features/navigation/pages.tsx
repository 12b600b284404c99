import type { Permission } from "@parley/protocol";
import {
  IconArrowsSplit,
  IconBell,
  IconChartBar,
  IconChecks,
  IconClock,
  IconEyeCheck,
  IconGitBranch,
  IconKey,
  IconLink,
  IconMessageCircle,
  IconPlugConnected,
  IconRobot,
  IconShieldCheck,
  IconShieldLock,
  IconSpeakerphone,
  IconTags,
  IconUserCircle,
  IconUserShield,
  IconUsers,
  IconWebhook,
} from "@tabler/icons-react";
import type { ParseKeys } from "i18next";
import { type ComponentType, lazy } from "react";
import type { Session } from "../../api/queries";
import { can } from "../../lib/permissions";

type Page = ComponentType<{ session: Session }>;

/** One page of a section (settings, reports): its route, its entry in the section's side navigation. */
export interface SectionPage {
  path: string;
  /** i18n key of its label. */
  label: ParseKeys;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** The side navigation's group it is listed under (settings: the person's own, or the workspace's). */
  group?: "personal" | "workspace";
  /** Shown (and routed) to those who hold it; everyone when absent. */
  permission?: Permission;
  page: Page;
}

const named = (load: () => Promise<Record<string, unknown>>, name: string): Page =>
  lazy(() => load().then((m) => ({ default: m[name] as Page })));

/**
 * The settings area, in the order of its side navigation. Adding a settings page is one entry here: the
 * route, the side navigation, the phone menu and the permission check all follow from it.
 */
export const SETTINGS_PAGES: SectionPage[] = [
  {
    path: "/settings/profile",
    label: "account.nav.profile",
    icon: IconUserCircle,
    group: "personal",
    page: lazy(() => import("../account/ProfilePage")),
  },
  {
    path: "/settings/notifications",
    label: "notify.settingsLink",
    icon: IconBell,
    group: "personal",
    page: named(() => import("../notifications/NotificationSettingsPage"), "NotificationSettingsPage"),
  },
  {
    path: "/settings/users",
    label: "account.nav.users",
    icon: IconUsers,
    group: "workspace",
    permission: "people.manage",
    page: lazy(() => import("../account/UsersPage")),
  },
  {
    path: "/settings/roles",
    label: "roles.nav",
    icon: IconUserShield,
    group: "workspace",
    permission: "people.manage",
    page: lazy(() => import("../roles/RolesPage")),
  },
  {
    path: "/settings/channels",
    label: "nav.channels",
    icon: IconPlugConnected,
    group: "workspace",
    permission: "channels.manage",
    page: named(() => import("../channels/ChannelsPage"), "ChannelsPage"),
  },
  {
    path: "/settings/widget",
    label: "widgetAdmin.nav",
    icon: IconMessageCircle,
    group: "workspace",
    permission: "channels.manage",
    page: named(() => import("../widget/WidgetSettingsPage"), "WidgetSettingsPage"),
  },
  {
    path: "/settings/receipts",
    label: "receiptNav.settings",
    icon: IconEyeCheck,
    group: "workspace",
    permission: "policy.manage",
    page: lazy(() => import("../receipts/ReceiptsSettingsPage")),
  },
  {
    path: "/settings/security",
    label: "security.page.nav",
    icon: IconShieldLock,
    group: "workspace",
    permission: "workspace.manage",
    page: lazy(() => import("../security/SecurityPage")),
  },
  {
    path: "/settings/alerts",
    label: "alerts.nav",
    icon: IconSpeakerphone,
    group: "workspace",
    permission: "audit.view",
    page: lazy(() => import("../alerts/AlertsPage")),
  },
  {
    path: "/settings/api",
    label: "apiTokens.nav",
    icon: IconKey,
    group: "workspace",
    permission: "api.manage",
    page: lazy(() => import("../api-tokens/ApiTokensPage")),
  },
  {
    path: "/settings/webhooks",
    label: "webhooks.nav",
    icon: IconWebhook,
    group: "workspace",
    permission: "api.manage",
    page: lazy(() => import("../webhooks/WebhooksPage")),
  },
  {
    path: "/settings/hours",
    label: "hours.nav",
    icon: IconClock,
    group: "workspace",
    permission: "workspace.manage",
    page: lazy(() => import("../hours/BusinessHoursPage")),
  },
  {
    path: "/settings/distribution",
    label: "distribution.nav",
    icon: IconArrowsSplit,
    group: "workspace",
    permission: "conversations.view_all",
    page: lazy(() => import("../distribution/DistributionPage")),
  },
  {
    path: "/settings/bots",
    label: "bots.nav",
    icon: IconRobot,
    group: "workspace",
    permission: "automation.manage",
    page: lazy(() => import("../bots/BotsPage")),
  },
  {
    path: "/settings/linked-records",
    label: "linkedRecords.nav",
    icon: IconLink,
    group: "workspace",
    permission: "automation.manage",
    page: lazy(() => import("../linked-records/LinkedRecordsPage")),
  },
  {
    path: "/settings/rules",
    label: "rules.nav",
    icon: IconGitBranch,
    group: "workspace",
    permission: "automation.manage",
    page: lazy(() => import("../rules/RulesPage")),
  },
  {
    path: "/settings/tags",
    label: "agentDay.tags.nav",
    icon: IconTags,
    group: "workspace",
    permission: "content.manage",
    page: lazy(() => import("../tags/TagsPage")),
  },
  {
    path: "/settings/audit",
    label: "audit.nav",
    icon: IconShieldCheck,
    group: "workspace",
    permission: "audit.view",
    page: lazy(() => import("../audit/AuditPage")),
  },
];

/** The reports area: team analytics and read-receipt reports. */
export const REPORT_PAGES: SectionPage[] = [
  {
    path: "/analytics",
    label: "navigation.reports.analytics",
    icon: IconChartBar,
    permission: "reports.view",
    page: named(() => import("../analytics/AnalyticsPage"), "AnalyticsPage"),
  },
  {
    path: "/reports/receipts",
    label: "navigation.reports.receipts",
    icon: IconChecks,
    permission: "reports.view",
    page: lazy(() => import("../receipts/ReportsPage")),
  },
];

/** The areas with a side navigation of their own. */
export const SECTIONS = [
  { key: "settings", base: "/settings", title: "navigation.settings.title", pages: SETTINGS_PAGES },
  { key: "reports", base: "/reports", title: "navigation.reports.title", pages: REPORT_PAGES },
] as const satisfies { key: string; base: string; title: ParseKeys; pages: SectionPage[] }[];
export type Section = (typeof SECTIONS)[number];

/** The pages of a list the person may open. */
export const allowedPages = (session: Session, pages: SectionPage[]) =>
  pages.filter((p) => !p.permission || can(session, p.permission));

/** Whether a settings page exists (other features link to pages that may not be there yet). */
export const hasSettingsPage = (path: string) => SETTINGS_PAGES.some((p) => p.path === path);

/** The section a path belongs to, if any. */
export const sectionOf = (pathname: string) =>
  SECTIONS.find((s) => s.pages.some((p) => pathname === p.path || pathname.startsWith(`${p.path}/`)));
