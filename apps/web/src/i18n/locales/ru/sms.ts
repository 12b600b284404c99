/** Канал SMS: форма подключения, счётчик частей, отписка. */
export const ruSms = {
  sms: {
    fields: {
      accountSid: "SID аккаунта",
      authToken: "Токен авторизации",
      fromNumber: "Номер отправителя",
      messagingServiceSid: "SID сервиса сообщений",
      baseUrl: "Базовый URL API",
    },
    hints: {
      fromNumber: "Один из номеров аккаунта в международном формате (+15551234567) или короткий номер",
      messagingServiceSid: "Вместо номера: провайдер сам выберет отправителя из сервиса (MG…)",
      baseUrl: "Оставьте пустым для Twilio; иначе адрес другого Twilio-совместимого провайдера",
    },
    parts_one: "{{count}} часть SMS",
    parts_few: "{{count}} части SMS",
    parts_many: "{{count}} частей SMS",
    parts_other: "{{count}} части SMS",
    encoding: { gsm7: "GSM-7", ucs2: "Юникод" },
    left: "в этой части осталось {{count}}",
    manyParts:
      "Этот текст уйдёт {{count}} частями SMS и будет оплачен как {{count}} сообщений. Сократите его или уберите эмодзи и буквы вне алфавита GSM (они вдвое уменьшают часть).",
    optedOutTitle: "Отписан от SMS",
    optedOut: "Клиент ответил STOP на этот номер: отправить ничего нельзя, пока он не ответит START.",
  },
};
