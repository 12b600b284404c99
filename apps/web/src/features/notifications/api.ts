import type { AgentNotification, NotificationEvent, NotificationMeans } from "@parley/protocol";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { get } from "../../api/client";

export type Means = Record<NotificationMeans, boolean>;
export interface NotificationSettings {
  matrix: Record<NotificationEvent, Means>;
  sound: boolean;
  dnd: boolean;
  quietHours: { from: string; to: string } | null;
  timeZone: string;
  pausedUntil: string | null;
  emailMode: "batched" | "daily" | "weekly";
  digestHour: number;
}
export interface SettingsResponse {
  settings: NotificationSettings;
  emailAvailable: boolean;
  pushSubscriptions: number;
  mutedConversationIds: string[];
}
export interface Audience {
  roles: string[];
  teamIds: string[];
  userIds: string[];
}
export interface Rule {
  id?: string;
  match: "all" | "important" | "tag" | "channel";
  tagId: string | null;
  connectionId: string | null;
  means: NotificationMeans[];
  timing: "immediate" | "delay" | "daily" | "weekly";
  delayMinutes: number;
  recipients: Audience | null;
}
export interface RulesResponse {
  own: Rule[];
  workspace: Rule[];
  policy: { readReceive: Audience | null; readManage: Audience | null };
  canManageOwn: boolean;
}
export interface NotificationPage {
  notifications: AgentNotification[];
  unread: number;
  nextBefore: string | null;
}

export const notifyKeys = {
  list: ["notifications"] as const,
  settings: ["notification-settings"] as const,
  rules: ["notification-rules"] as const,
};

export const useNotificationSettings = () =>
  useQuery({
    queryKey: notifyKeys.settings,
    queryFn: () => get<SettingsResponse>("/api/notifications/settings"),
  });

export const useNotificationRules = () =>
  useQuery({ queryKey: notifyKeys.rules, queryFn: () => get<RulesResponse>("/api/notification-rules") });

export const useNotifications = () =>
  useInfiniteQuery({
    queryKey: notifyKeys.list,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<NotificationPage>(`/api/notifications${pageParam ? `?before=${pageParam}` : ""}`),
    getNextPageParam: (last) => last.nextBefore,
  });
