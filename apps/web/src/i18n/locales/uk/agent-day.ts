/** The agent's day (see en/agent-day.ts); locales.test.ts checks the keys against English. */
export const ukAgentDay = {
  agentDay: {
    logEmptyMine: "Ваших закритих розмов поки немає",
    toastMore: "{{title}} · нових: {{count}}",
    bellAll: "Усі",
    bellUnread: "Непрочитані",
    bellNoUnread: "Непрочитаних немає.",
    reassign: { queues: "Черга", agents: "Агенти", teams: "Команди", team: "Черга команди «{{name}}»" },
    tags: {
      nav: "Теги",
      title: "Теги контактів",
      subtitle:
        "Перейменовуйте й перефарбовуйте теги, об'єднуйте дублікати, видаляйте непотрібні. Агенти додають теги контактам у панелі контакту.",
      forbidden: "Для керування тегами потрібне право «Керувати шаблонами відповідей і мітками».",
      empty: "Тегів поки немає. Створіть тег у панелі контакту.",
      name: "Назва",
      color: "Колір",
      contacts: "Контакти",
      merge: "Об'єднати",
      mergeInto: "Об'єднати з…",
      mergeButton: "Об'єднати",
      delete: "Видалити",
      deleteConfirm_one: "Прибрати в {{count}} контакту?",
      deleteConfirm_few: "Прибрати в {{count}} контактів?",
      deleteConfirm_many: "Прибрати в {{count}} контактів?",
      deleteConfirm_other: "Прибрати в {{count}} контакту?",
      create: "Створити тег «{{name}}»",
      created: "Тег «{{name}}» створено",
    },
    testIntro:
      "Тест надходить лише тестовому контакту: на ваш номер або адресу пісочниці каналу, ніколи клієнтові. Він починається з «[Тест Parley]» і написаний мовою робочого простору, якщо ви не оберете іншу.",
    testTo: "Кому (тестовий контакт)",
    testToPlaceholder: "Ваш номер або адреса пісочниці",
    testLanguage: "Мова",
    languages: { en: "Англійська", ru: "Російська", uk: "Українська" },
    reopenedByCustomer: "Клієнт написав і знову відкрив розмову",
  },
};
