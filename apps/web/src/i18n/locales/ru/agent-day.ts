/** The agent's day (see en/agent-day.ts); locales.test.ts checks the keys against English. */
export const ruAgentDay = {
  agentDay: {
    reopenedByCustomer: "Клиент написал и снова открыл разговор",
  },
};
