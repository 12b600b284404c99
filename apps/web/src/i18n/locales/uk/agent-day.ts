/** The agent's day (see en/agent-day.ts); locales.test.ts checks the keys against English. */
export const ukAgentDay = {
  agentDay: {
    reopenedByCustomer: "Клієнт написав і знову відкрив розмову",
  },
};
