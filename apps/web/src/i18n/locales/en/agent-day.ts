/** The agent's day: feed lines, diagnostics' test contact, tags, reassigning, notifications, small affordances. */
export const enAgentDay = {
  agentDay: {
    testIntro:
      "The test goes only to a test contact: your own number or the channel's sandbox address, never a customer. It starts with “[Parley test]” and is written in the workspace's language unless you choose another.",
    testTo: "Send to (test contact)",
    testToPlaceholder: "Your number or sandbox address",
    testLanguage: "Language",
    languages: { en: "English", ru: "Russian", uk: "Ukrainian" },
    reopenedByCustomer: "The customer wrote and reopened the conversation",
  },
};
