import { useQueries } from "@tanstack/react-query";
import { channelKeys, type Template, useConnections } from "../../api/channels";
import { get } from "../../api/client";
import { useUsers } from "../../api/queries";
import { useCannedReplies } from "../conversation-tools/canned";
import { useBots, useTags, useTeams } from "../inbox/inbox-tools-api";

export interface Option {
  value: string;
  label: string;
}

/** A template a rule can send, with how many values each of its parts needs. */
export interface TemplateOption extends Option {
  variables: Template["variables"];
}

/**
 * What a rule can name: connections, tags, teams, agents, canned replies, bots and the approved templates of
 * the connections that have templates (WhatsApp), as select options.
 */
export function useRuleOptions() {
  const connections = useConnections();
  const tags = useTags();
  const teams = useTeams();
  const users = useUsers();
  const canned = useCannedReplies();
  const bots = useBots();
  const withTemplates = (connections.data ?? []).filter((c) => c.type === "whatsapp");
  const templates = useQueries({
    queries: withTemplates.map((c) => ({
      queryKey: channelKeys.templates(c.id),
      queryFn: () =>
        get<{ templates: Template[] }>(`/api/connections/${c.id}/templates`).then((r) => r.templates),
    })),
  });
  return {
    connections: (connections.data ?? []).map((c) => ({ value: c.id, label: c.name })),
    tags: (tags.data ?? []).map((x) => ({ value: x.id, label: x.name })),
    teams: (teams.data ?? []).map((x) => ({ value: x.id, label: x.name })),
    users: (users.data ?? [])
      .filter((u) => u.status === "active")
      .map((u) => ({ value: u.id, label: u.name })),
    canned: (canned.data ?? []).map((c) => ({ value: c.id, label: `${c.title} (/${c.shortcut})` })),
    bots: (bots.data ?? []).map((b) => ({ value: b.id, label: b.name })),
    templates: withTemplates.flatMap((c, i) =>
      (templates[i]?.data ?? [])
        .filter((x) => x.sendable)
        .map(
          (x): TemplateOption => ({
            value: x.id,
            label: `${x.name} (${x.language}) · ${c.name}`,
            variables: x.variables,
          }),
        ),
    ),
  };
}
export type RuleOptions = ReturnType<typeof useRuleOptions>;
