/** The agent's day: feed lines, diagnostics' test contact, tags, reassigning, notifications, small affordances. */
export const enAgentDay = {
  agentDay: {
    reopenedByCustomer: "The customer wrote and reopened the conversation",
  },
};
