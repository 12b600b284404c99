import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { client, data } from "../../api/client";
import type { Answer } from "../../api/types";

export type SettingsResponse = Answer<"/api/notifications/settings">;
export type NotificationSettings = SettingsResponse["settings"];
export type Means = NotificationSettings["matrix"][keyof NotificationSettings["matrix"]];
export type RulesResponse = Answer<"/api/notification-rules">;
type SavedRule = RulesResponse["own"][number];
/** A rule as the settings page edits it: the server's rule, without an id until it is saved. */
export type Rule = Omit<SavedRule, "id"> & Partial<Pick<SavedRule, "id">>;
export type Audience = NonNullable<Rule["recipients"]>;
export type NotificationPage = Answer<"/api/notifications">;

export const notifyKeys = {
  list: ["notifications"] as const,
  settings: ["notification-settings"] as const,
  rules: ["notification-rules"] as const,
};

/**
 * The caller's notification settings and muted conversations. Only the caller changes them (the settings page
 * and muting write the answer into the cache or refetch it), so opening a conversation reads them from the cache.
 */
export const useNotificationSettings = () =>
  useQuery({
    queryKey: notifyKeys.settings,
    queryFn: () => data(client.GET("/api/notifications/settings")),
    staleTime: 5 * 60_000,
  });

export const useNotificationRules = () =>
  useQuery({ queryKey: notifyKeys.rules, queryFn: () => data(client.GET("/api/notification-rules")) });

export const useNotifications = () =>
  useInfiniteQuery({
    queryKey: notifyKeys.list,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      data(client.GET("/api/notifications", { params: { query: pageParam ? { before: pageParam } : {} } })),
    getNextPageParam: (last) => last.nextBefore,
  });
