/** The agent's day (see en/agent-day.ts); locales.test.ts checks the keys against English. */
export const ukAgentDay = {
  agentDay: {
    testIntro:
      "Тест надходить лише тестовому контакту: на ваш номер або адресу пісочниці каналу, ніколи клієнтові. Він починається з «[Тест Parley]» і написаний мовою робочого простору, якщо ви не оберете іншу.",
    testTo: "Кому (тестовий контакт)",
    testToPlaceholder: "Ваш номер або адреса пісочниці",
    testLanguage: "Мова",
    languages: { en: "Англійська", ru: "Російська", uk: "Українська" },
    reopenedByCustomer: "Клієнт написав і знову відкрив розмову",
  },
};
