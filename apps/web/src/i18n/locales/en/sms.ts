/** The SMS channel: its connection form, the composer's part counter, opt-out. Top-level keys here must not clash with another file's. */
export const enSms = {
  sms: {
    fields: {
      accountSid: "Account SID",
      authToken: "Auth token",
      fromNumber: "From number",
      messagingServiceSid: "Messaging service SID",
      baseUrl: "API base URL",
    },
    hints: {
      fromNumber: "One of the account's numbers in international format (+15551234567), or a short code",
      messagingServiceSid: "Instead of a from number: the provider picks the sender from the service (MG…)",
      baseUrl: "Leave empty for Twilio; another Twilio-compatible provider's address otherwise",
    },
    parts_one: "{{count}} SMS part",
    parts_other: "{{count}} SMS parts",
    encoding: { gsm7: "GSM-7", ucs2: "Unicode" },
    left: "{{count}} left in this part",
    manyParts:
      "This text goes as {{count}} SMS parts and is billed as {{count}} messages. Shorten it, or leave out emoji and letters outside the GSM alphabet (they halve the part size).",
    optedOutTitle: "Opted out of SMS",
    optedOut: "The customer replied STOP to this number: nothing can be sent until they reply START.",
  },
};
