import type { Conversation } from "@parley/protocol";
import { useQuery } from "@tanstack/react-query";
import { get } from "../../api/client";

export interface WorkspaceSettings {
  sendSeen: string;
  slaYellowMinutes: number | null;
  slaRedMinutes: number | null;
}
export interface TagOption {
  id: string;
  name: string;
  color: string;
  contactCount: number;
}
export interface MessageHit {
  message: {
    id: string;
    seq: number;
    snippet: string;
    direction: "inbound" | "outbound" | "internal";
    kind: string;
    authorType: string;
    createdAt: string;
  };
  conversation: Conversation;
}
export interface BulkOperation {
  id: string;
  action: string;
  status: "running" | "completed" | "failed";
  total: number;
  done: number;
  failed: number;
  errors: { conversationId: string; code: string; message: string }[];
}

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
    queryFn: () =>
      get<{ workspace: { id: string; name: string; settings: WorkspaceSettings } }>("/api/workspace").then(
        (r) => r.workspace.settings,
      ),
    staleTime: 5 * 60_000,
  });

export const useTags = (enabled = true) =>
  useQuery({
    queryKey: toolKeys.tags,
    queryFn: () => get<{ tags: TagOption[] }>("/api/tags").then((r) => r.tags),
    staleTime: 60_000,
    enabled,
  });

export const useBots = () =>
  useQuery({
    queryKey: toolKeys.bots,
    queryFn: () => get<{ bots: { id: string; name: string }[] }>("/api/bots").then((r) => r.bots),
    staleTime: 5 * 60_000,
  });

export const useTeams = (enabled = true) =>
  useQuery({
    queryKey: toolKeys.teams,
    queryFn: () => get<{ teams: { id: string; name: string }[] }>("/api/teams").then((r) => r.teams),
    staleTime: 5 * 60_000,
    enabled,
  });

/** Both time limits set: the list shows waiting labels and offers the processing order (R103, R107). */
export const slaOf = (s: WorkspaceSettings | undefined) =>
  s?.slaYellowMinutes != null || s?.slaRedMinutes != null
    ? { yellow: s.slaYellowMinutes ?? null, red: s.slaRedMinutes ?? null }
    : null;
