/** Security alerts (R804): the rules, the raised alerts, acknowledging. */
export const enAlerts = {
  alerts: {
    nav: "Security alerts",
    title: "Security alerts",
    notAllowed: "Seeing security alerts needs the “audit log” permission.",
    rulesTitle: "Rules",
    rulesIntro:
      "Each rule raises one alert per account, address, person or token within its window, however long the burst.",
    readOnly: "Changing the rules needs the “workspace settings” permission.",
    rule: "Rule",
    enabled: "On",
    threshold: "Threshold",
    window: "Window",
    minutes: "min",
    firstTime: "First time",
    save: "Save",
    subject: "About",
    count: "Count",
    seen: "First – last seen",
    acknowledge: "Acknowledge",
    acknowledgedBy: "Acknowledged by {{name}}, {{at}}",
    none: "No alerts here.",
    more: "Show older",
    status: { open: "Open", acknowledged: "Acknowledged", all: "All" },
    rules: {
      sign_in_failures_account: {
        name: "Failed sign-ins for one account",
        hint: "Wrong passwords and refused attempts for one email within the window.",
      },
      sign_in_failures_address: {
        name: "Failed sign-ins from one address",
        hint: "Failed sign-ins from one IP address, whatever the accounts.",
      },
      new_device: {
        name: "Sign-in from a new device and address",
        hint: "A browser family and an address never seen for that person (not their first sign-in).",
      },
      large_export: {
        name: "Large export",
        hint: "One export with at least this many rows (a CSV file, or a contact's conversations and messages).",
      },
      mass_erasure: {
        name: "Many contacts erased",
        hint: "Contacts erased by one person within the window.",
      },
      mass_deletion: {
        name: "Many conversations deleted",
        hint: "Conversations deleted by one person within the window.",
      },
      api_token_new_address: {
        name: "API token used from a new address",
        hint: "An API token called from an address it was never used from.",
      },
    },
  },
};
