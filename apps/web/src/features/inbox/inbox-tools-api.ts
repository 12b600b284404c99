import { useQuery } from "@tanstack/react-query";
import { client, data } from "../../api/client";
import type { Answer } from "../../api/types";

export type WorkspaceSettings = Answer<"/api/workspace">["workspace"]["settings"];
export type TagOption = Answer<"/api/tags">["tags"][number];
export type MessageHit = Answer<"/api/search/messages">["hits"][number];
export type BulkOperation = Answer<"/api/bulk-operations/{id}">["operation"];

export const toolKeys = {
  workspace: ["workspace"] as const,
  tags: ["tags"] as const,
  bots: ["bots"] as const,
  teams: ["teams"] as const,
  searchContacts: (q: string) => ["search", "contacts", q] as const,
  searchMessages: (q: string) => ["search", "messages", q] as const,
  convSearch: (id: string, q: string) => ["search", "conversation", id, q] as const,
};

export const useWorkspaceSettings = () =>
  useQuery({
    queryKey: toolKeys.workspace,
    queryFn: () => data(client.GET("/api/workspace")).then((r) => r.workspace.settings),
    staleTime: 5 * 60_000,
  });

export const useTags = (enabled = true) =>
  useQuery({
    queryKey: toolKeys.tags,
    queryFn: () => data(client.GET("/api/tags")).then((r) => r.tags),
    staleTime: 60_000,
    enabled,
  });

export const useBots = () =>
  useQuery({
    queryKey: toolKeys.bots,
    queryFn: () => data(client.GET("/api/bots")).then((r) => r.bots),
    staleTime: 5 * 60_000,
  });

export const useTeams = (enabled = true) =>
  useQuery({
    queryKey: toolKeys.teams,
    queryFn: () => data(client.GET("/api/teams")).then((r) => r.teams),
    staleTime: 5 * 60_000,
    enabled,
  });

/** Both time limits set: the list shows waiting labels and offers the processing order (R103, R107). */
export const slaOf = (s: WorkspaceSettings | undefined) =>
  s?.slaYellowMinutes != null || s?.slaRedMinutes != null
    ? { yellow: s.slaYellowMinutes ?? null, red: s.slaRedMinutes ?? null }
    : null;
