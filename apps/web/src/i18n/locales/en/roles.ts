/** Roles and permissions (R801). Top-level keys here must not clash with another file's. */
export const enRoles = {
  roles: {
    nav: "Roles and permissions",
    title: "Roles and permissions",
    subtitle:
      "What each role may do. Owners and admins hold every permission; supervisors, agents and your own roles hold what is ticked.",
    forbidden: "Only people who may manage people and roles see this page.",
    permission: "Permission",
    members_one: "{{count}} person",
    members_other: "{{count}} people",
    locked: "Holds every permission; cannot be changed",
    yours: "Your own role: another admin changes it",
    saved: "Permissions saved",
    newRole: "New role",
    name: "Name",
    base: "Based on",
    baseHint: "Starts with this role's permissions; holders are treated as this role everywhere else.",
    create: "Create role",
    created: "Role created",
    rename: "Rename",
    renamed: "Role renamed",
    delete: "Delete role",
    deleteTitle: "Delete the role “{{name}}”",
    deleteHeld_one: "{{count}} person holds this role. Choose the role they get instead.",
    deleteHeld_other: "{{count}} people hold this role. Choose the role they get instead.",
    deleteEmpty: "Nobody holds this role.",
    moveTo: "Move them to",
    deleted: "Role deleted",
    cancel: "Cancel",
    save: "Save",
    custom: "Custom role",
    noCustom: "No custom role",
    perms: {
      conversations_view_all: {
        name: "See all conversations",
        hint: "Every conversation of the workspace, not only one's own, one's team's queue and those one operates.",
      },
      conversations_reply: {
        name: "Reply to customers",
        hint: "Send messages to customers (notes need no permission).",
      },
      conversations_delete: {
        name: "Delete conversations",
        hint: "Delete conversations and their messages for good.",
      },
      conversations_bulk: { name: "Bulk actions", hint: "Act on many conversations at once from the inbox." },
      data_export: { name: "Export data", hint: "Download the message log and conversation lists as files." },
      contacts_erase: {
        name: "Export and erase contact data",
        hint: "Answer a contact's privacy request: export or erase their data.",
      },
      channels_manage: {
        name: "Manage channels",
        hint: "Connect channels, the chat widget and message templates.",
      },
      people_manage: {
        name: "Manage people and roles",
        hint: "Invite people, change their roles, teams and these permissions.",
      },
      policy_manage: {
        name: "Manage receipt and notification policy",
        hint: "The workspace's read-receipt policy and notification rules.",
      },
      reports_view: { name: "See reports", hint: "Team analytics and read-receipt reports." },
      content_manage: {
        name: "Manage canned replies and tags",
        hint: "Edit shared canned replies and tags.",
      },
      automation_manage: { name: "Manage automation", hint: "Automatic rules and actions of the workspace." },
      api_manage: { name: "Manage API access", hint: "API tokens and outgoing webhooks." },
      audit_view: { name: "See the audit log", hint: "Who changed what in the workspace, and when." },
      workspace_manage: {
        name: "Manage workspace settings",
        hint: "Name, response-time targets, retention and security.",
      },
    },
  },
};
