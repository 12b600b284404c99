import { useConnections } from "../../api/channels";
import { useUsers } from "../../api/queries";
import { useCannedReplies } from "../conversation-tools/canned";
import { useTags, useTeams } from "../inbox/inbox-tools-api";

export interface Option {
  value: string;
  label: string;
}

/** What a rule can name: connections, tags, teams, agents and canned replies, as select options. */
export function useRuleOptions() {
  const connections = useConnections();
  const tags = useTags();
  const teams = useTeams();
  const users = useUsers();
  const canned = useCannedReplies();
  return {
    connections: (connections.data ?? []).map((c) => ({ value: c.id, label: c.name })),
    tags: (tags.data ?? []).map((x) => ({ value: x.id, label: x.name })),
    teams: (teams.data ?? []).map((x) => ({ value: x.id, label: x.name })),
    users: (users.data ?? [])
      .filter((u) => u.status === "active")
      .map((u) => ({ value: u.id, label: u.name })),
    canned: (canned.data ?? []).map((c) => ({ value: c.id, label: `${c.title} (/${c.shortcut})` })),
  };
}
export type RuleOptions = ReturnType<typeof useRuleOptions>;
