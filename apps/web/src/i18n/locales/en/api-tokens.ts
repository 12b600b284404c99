/** Settings → API: workspace API tokens (R806). Top-level keys here must not clash with another file's. */
export const enApiTokens = {
  apiTokens: {
    nav: "API tokens",
    title: "API tokens",
    intro:
      "A token lets a script or another system call Parley's REST API with the permissions you choose. It acts on your behalf: what it does is recorded as yours, via the token.",
    noAccess: "Managing API tokens needs the “Manage API tokens” permission.",
    empty: "No tokens yet.",
    create: "Create token",
    columns: {
      name: "Name",
      prefix: "Token",
      permissions: "Permissions",
      createdBy: "Created by",
      created: "Created",
      expires: "Expires",
      lastUsed: "Last used",
      status: "Status",
    },
    never: "Never",
    notUsed: "Not used yet",
    lastUsedFrom: "{{time}} from {{ip}}",
    active: "Active",
    revoked: "Revoked",
    expired: "Expired",
    revoke: "Revoke",
    revokeTitle: "Revoke “{{name}}”?",
    revokeText: "Scripts using this token stop working at once. This cannot be undone.",
    revokeConfirm: "Revoke token",
    cancel: "Cancel",
    revokedNotice: "The token “{{name}}” was revoked.",
    form: {
      title: "New API token",
      name: "Name",
      namePlaceholder: "CRM sync",
      permissions: "Permissions",
      permissionsHint: "Choose only what the script needs. You can only give permissions you hold yourself.",
      expiry: "Expires",
      expiryOptions: { never: "Never", d30: "In 30 days", d90: "In 90 days", d365: "In a year" },
      submit: "Create token",
      needPermission: "Choose at least one permission.",
    },
    secret: {
      title: "Copy your token now",
      warning:
        "This is the only time the token is shown. Store it somewhere safe: Parley keeps only a fingerprint.",
      copy: "Copy",
      copied: "Copied",
      example: "Try it:",
      done: "I have copied it",
    },
    permissions: {
      conversations: {
        view_all: "See and handle every conversation",
        reply: "Reply to conversations",
        delete: "Delete conversations",
        bulk: "Bulk actions on conversations",
      },
      data: {
        export: "Export data",
      },
      contacts: {
        erase: "Export and erase contacts' personal data",
      },
      channels: {
        manage: "Manage channel connections",
      },
      people: {
        manage: "Manage people and teams",
      },
      policy: {
        manage: "Manage read-receipt and notification policy",
      },
      reports: {
        view: "See reports",
      },
      content: {
        manage: "Manage canned replies and tags",
      },
      automation: {
        manage: "Manage automation",
      },
      api: {
        manage: "Manage API tokens",
      },
      audit: {
        view: "See the audit log",
      },
      workspace: {
        manage: "Manage workspace settings",
      },
    },
  },
};
