/** The website chat widget settings. Top-level keys here must not clash with another file's. */
export const enWidget = {
  widgetAdmin: {
    nav: "Web chat widget",
    title: "Web chat widget",
    subtitle: "A chat on your website: one script tag, set up here, answered in the inbox.",
    adminsOnly: "Only owners and admins manage the web chat widget.",
    empty: "No widget yet. Give it a name to create one.",
    newName: "New widget name",
    create: "Create widget",
    save: "Save",
    saved: "Saved",
    saveFailed: "Could not save the settings.",
    copy: "Copy",
    copied: "Copied",
    fields: {
      allowedOrigins: "Allowed sites",
      greeting: "Greeting",
      color: "Colour",
      language: "Language",
      position: "Position",
      preChat: "Pre-chat form",
      autoCloseMinutes: "Close after the visitor left (minutes)",
      maxFileMb: "Largest file (MB)",
      readReceipts: "Show visitors when their messages are read",
      identityVerification: "Identity verification",
    },
    hints: {
      allowedOrigins:
        "Origins allowed to embed the chat, e.g. https://shop.example (press Enter after each).",
      autoCloseMinutes: "The conversation closes when the visitor has not come back for this long.",
      readReceipts: "Also needs read receipts allowed in the workspace's receipt settings.",
      identityVerification:
        "Accept a signed-in user only with the HMAC your server computes from the identity secret.",
    },
    position: { left: "Left", right: "Right" },
    languages: { en: "English", ru: "Russian", uk: "Ukrainian" },
    preChatFields: { name: "Name", email: "Email", phone: "Phone" },
    preChatModes: { off: "Not asked", optional: "Optional", required: "Required" },
    preview: {
      heading: "Preview",
      title: "Chat with us",
      sample: "Hello! I have a question.",
      placeholder: "Type a message…",
      preChat: "The visitor fills in the form before the first message.",
    },
    embed: {
      heading: "Embed code",
      hint: "Paste it before </body> on every page where the chat should appear.",
    },
    reveal: {
      title: "Widget created",
      warning: "The identity secret is shown only now. Keep it on your server; never put it in a page.",
      identitySecret: "Identity secret",
      identityHint:
        "Your server computes HMAC-SHA256 of the signed-in user's id with this secret (hex) and puts it in data-user-hash.",
      done: "Done",
    },
  },
};
