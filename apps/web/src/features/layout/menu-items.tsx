import type { Permission } from "@parley/protocol";
import {
  IconAddressBook,
  IconArchive,
  IconArrowsSplit,
  IconBell,
  IconChartBar,
  IconChecklist,
  IconChecks,
  IconClock,
  IconEyeCheck,
  IconInbox,
  IconKey,
  IconMessageCircle,
  IconPlugConnected,
  IconShieldCheck,
  IconShieldLock,
  IconUserCircle,
  IconUsers,
  IconWebhook,
} from "@tabler/icons-react";
import type { ParseKeys } from "i18next";
import type { ComponentType } from "react";

/** One destination of the user menu: shown to those who hold its permission (everyone when it has none). */
export interface MenuEntry {
  to: string;
  icon: ComponentType<{ size?: number }>;
  /** i18n key of its label. */
  label: ParseKeys;
  testId?: string;
  permission?: Permission;
}

/** The user menu's destinations in groups (a divider between groups): the work, workspace settings, oneself. */
export const MENU: MenuEntry[][] = [
  [
    { to: "/inbox?view=mine", icon: IconInbox, label: "nav.inbox" },
    { to: "/contacts", icon: IconAddressBook, label: "nav.contacts", testId: "menu-contacts" },
    { to: "/tasks", icon: IconChecklist, label: "convTools.tasks.page", testId: "menu-tasks" },
    { to: "/log", icon: IconArchive, label: "log.nav", testId: "menu-log" },
    {
      to: "/analytics",
      icon: IconChartBar,
      label: "analytics.nav",
      testId: "menu-analytics",
      permission: "reports.view",
    },
    {
      to: "/reports/receipts",
      icon: IconChecks,
      label: "receiptNav.reports",
      testId: "menu-receipt-reports",
      permission: "reports.view",
    },
  ],
  [
    {
      to: "/settings/channels",
      icon: IconPlugConnected,
      label: "nav.channels",
      testId: "menu-channels",
      permission: "channels.manage",
    },
    {
      to: "/settings/widget",
      icon: IconMessageCircle,
      label: "widgetAdmin.nav",
      testId: "menu-widget",
      permission: "channels.manage",
    },
    {
      to: "/settings/receipts",
      icon: IconEyeCheck,
      label: "receiptNav.settings",
      testId: "menu-receipts",
      permission: "policy.manage",
    },
    {
      to: "/settings/users",
      icon: IconUsers,
      label: "account.nav.users",
      testId: "menu-users",
      permission: "people.manage",
    },
    {
      to: "/settings/roles",
      icon: IconShieldLock,
      label: "roles.nav",
      testId: "menu-roles",
      permission: "people.manage",
    },
    {
      to: "/settings/security",
      icon: IconShieldLock,
      label: "security.page.nav",
      testId: "menu-security",
      permission: "workspace.manage",
    },
    {
      to: "/settings/api",
      icon: IconKey,
      label: "apiTokens.nav",
      testId: "menu-api",
      permission: "api.manage",
    },
    {
      to: "/settings/webhooks",
      icon: IconWebhook,
      label: "webhooks.nav",
      testId: "menu-webhooks",
      permission: "api.manage",
    },
    {
      to: "/settings/hours",
      icon: IconClock,
      label: "hours.nav",
      testId: "menu-hours",
      permission: "workspace.manage",
    },
    {
      to: "/settings/audit",
      icon: IconShieldCheck,
      label: "audit.nav",
      testId: "menu-audit",
      permission: "audit.view",
    },
    {
      to: "/settings/alerts",
      icon: IconShieldLock,
      label: "alerts.nav",
      testId: "menu-alerts",
      permission: "audit.view",
    },
    {
      to: "/settings/distribution",
      icon: IconArrowsSplit,
      label: "distribution.nav",
      testId: "menu-distribution",
      permission: "conversations.view_all",
    },
  ],
  [
    {
      to: "/settings/notifications",
      icon: IconBell,
      label: "notify.settingsLink",
      testId: "menu-notifications",
    },
    { to: "/settings/profile", icon: IconUserCircle, label: "account.nav.profile", testId: "menu-profile" },
  ],
];
