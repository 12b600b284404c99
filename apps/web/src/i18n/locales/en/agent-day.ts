/** The agent's day: feed lines, diagnostics' test contact, tags, reassigning, notifications, small affordances. */
export const enAgentDay = {
  agentDay: {
    logEmptyMine: "None of your closed conversations yet",
    toastMore: "{{title}} · {{count}} new",
    bellAll: "All",
    bellUnread: "Unread",
    bellNoUnread: "Nothing unread.",
    reassign: { queues: "Queue", agents: "Agents", teams: "Teams", team: "{{name}} team's queue" },
    tags: {
      nav: "Tags",
      title: "Contact tags",
      subtitle:
        "Rename and recolour tags, merge duplicates into one, delete those no longer used. Agents add tags to contacts from the contact panel.",
      forbidden: "Managing tags needs the “Manage canned replies and tags” permission.",
      empty: "No tags yet. Create one from a contact's panel.",
      name: "Name",
      color: "Colour",
      contacts: "Contacts",
      merge: "Merge",
      mergeInto: "Merge into…",
      mergeButton: "Merge",
      delete: "Delete",
      deleteConfirm_one: "Remove from {{count}} contact?",
      deleteConfirm_other: "Remove from {{count}} contacts?",
      create: "Create tag “{{name}}”",
      created: "Tag “{{name}}” created",
    },
    testIntro:
      "The test goes only to a test contact: your own number or the channel's sandbox address, never a customer. It starts with “[Parley test]” and is written in the workspace's language unless you choose another.",
    testTo: "Send to (test contact)",
    testToPlaceholder: "Your number or sandbox address",
    testLanguage: "Language",
    languages: { en: "English", ru: "Russian", uk: "Ukrainian" },
    reopenedByCustomer: "The customer wrote and reopened the conversation",
  },
};
