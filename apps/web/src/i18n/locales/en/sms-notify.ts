/** SMS notifications: the agent's number, its verification and the matrix's SMS column. Top-level keys here must not clash with another file's. */
export const enSmsNotify = {
  smsNotify: {
    column: "SMS",
    title: "Phone for SMS notifications",
    unavailable:
      "SMS notifications need an SMS connection in this workspace; there is none yet, so the SMS column stays off. An admin can add one under Channels.",
    none: "No number yet: add one and confirm it with the code we send, then tick the SMS column.",
    verified: "Notifications by SMS go to {{phone}}.",
    phone: "Your phone number",
    change: "Another number",
    phoneHint: "International format: + and the country code",
    sendCode: "Send code",
    codeSent: "Code sent by SMS",
    code: "The code sent to {{phone}}",
    verify: "Confirm",
    done: "Number confirmed",
    remove: "Remove",
    removed: "Number removed",
  },
};
