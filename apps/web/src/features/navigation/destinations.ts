import {
  IconAddressBook,
  IconArchive,
  IconChartBar,
  IconChecklist,
  IconInbox,
  IconSettings,
} from "@tabler/icons-react";
import type { ParseKeys } from "i18next";
import type { ComponentType } from "react";
import type { Session } from "../../api/queries";
import { allowedPages, REPORT_PAGES, SETTINGS_PAGES } from "./pages";

/** One destination of the navigation rail (and of the phone menu). */
export interface Destination {
  key: string;
  to: string;
  label: ParseKeys;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** Whether the page at this path belongs to the destination (it is highlighted there). */
  matches: (pathname: string) => boolean;
}

const under =
  (...paths: string[]) =>
  (pathname: string) =>
    paths.some((p) => pathname === p || pathname.startsWith(`${p}/`));

/** The rail's destinations the person may open: a section shows when one of its pages is theirs to see. */
export function destinations(session: Session): Destination[] {
  const reports = allowedPages(session, REPORT_PAGES);
  const settings = allowedPages(session, SETTINGS_PAGES);
  const list: (Destination | null)[] = [
    {
      key: "inbox",
      to: "/inbox?view=mine",
      label: "navigation.rail.inbox",
      icon: IconInbox,
      matches: under("/inbox"),
    },
    {
      key: "contacts",
      to: "/contacts",
      label: "navigation.rail.contacts",
      icon: IconAddressBook,
      matches: under("/contacts"),
    },
    {
      key: "tasks",
      to: "/tasks",
      label: "navigation.rail.tasks",
      icon: IconChecklist,
      matches: under("/tasks"),
    },
    { key: "log", to: "/log", label: "navigation.rail.log", icon: IconArchive, matches: under("/log") },
    reports[0]
      ? {
          key: "reports",
          to: reports[0].path,
          label: "navigation.rail.reports",
          icon: IconChartBar,
          matches: under("/reports", ...REPORT_PAGES.map((p) => p.path)),
        }
      : null,
    settings[0]
      ? {
          key: "settings",
          to: settings[0].path,
          label: "navigation.rail.settings",
          icon: IconSettings,
          matches: under("/settings"),
        }
      : null,
  ];
  return list.filter((d): d is Destination => d !== null);
}
