/** Канал SMS: форма підключення, лічильник частин, відписка. */
export const ukSms = {
  sms: {
    fields: {
      accountSid: "SID акаунта",
      authToken: "Токен авторизації",
      fromNumber: "Номер відправника",
      messagingServiceSid: "SID сервісу повідомлень",
      baseUrl: "Базова URL-адреса API",
    },
    hints: {
      fromNumber: "Один із номерів акаунта в міжнародному форматі (+15551234567) або короткий номер",
      messagingServiceSid: "Замість номера: провайдер сам обере відправника із сервісу (MG…)",
      baseUrl: "Залиште порожнім для Twilio; інакше адреса іншого Twilio-сумісного провайдера",
    },
    parts_one: "{{count}} частина SMS",
    parts_few: "{{count}} частини SMS",
    parts_many: "{{count}} частин SMS",
    parts_other: "{{count}} частини SMS",
    encoding: { gsm7: "GSM-7", ucs2: "Юнікод" },
    left: "у цій частині лишилося {{count}}",
    manyParts:
      "Цей текст піде {{count}} частинами SMS і буде оплачений як {{count}} повідомлень. Скоротіть його або приберіть емодзі та літери поза алфавітом GSM (вони вдвічі зменшують частину).",
    optedOutTitle: "Відписаний від SMS",
    optedOut: "Клієнт відповів STOP на цей номер: надіслати нічого не можна, доки він не відповість START.",
  },
};
