/** The agent's day (see en/agent-day.ts); locales.test.ts checks the keys against English. */
export const ruAgentDay = {
  agentDay: {
    testIntro:
      "Тест уходит только тестовому контакту: на ваш номер или адрес песочницы канала, никогда клиенту. Он начинается с «[Тест Parley]» и написан на языке рабочего пространства, если вы не выберете другой.",
    testTo: "Кому (тестовый контакт)",
    testToPlaceholder: "Ваш номер или адрес песочницы",
    testLanguage: "Язык",
    languages: { en: "Английский", ru: "Русский", uk: "Украинский" },
    reopenedByCustomer: "Клиент написал и снова открыл разговор",
  },
};
