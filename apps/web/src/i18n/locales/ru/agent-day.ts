/** The agent's day (see en/agent-day.ts); locales.test.ts checks the keys against English. */
export const ruAgentDay = {
  agentDay: {
    logEmptyMine: "Ваших закрытых разговоров пока нет",
    toastMore: "{{title}} · новых: {{count}}",
    bellAll: "Все",
    bellUnread: "Непрочитанные",
    bellNoUnread: "Непрочитанных нет.",
    reassign: { queues: "Очередь", agents: "Агенты", teams: "Команды", team: "Очередь команды «{{name}}»" },
    tags: {
      nav: "Теги",
      title: "Теги контактов",
      subtitle:
        "Переименовывайте и перекрашивайте теги, объединяйте дубликаты, удаляйте ненужные. Агенты добавляют теги контактам в панели контакта.",
      forbidden: "Для управления тегами нужно право «Управлять шаблонами ответов и метками».",
      empty: "Тегов пока нет. Создайте тег в панели контакта.",
      name: "Название",
      color: "Цвет",
      contacts: "Контакты",
      merge: "Объединить",
      mergeInto: "Объединить с…",
      mergeButton: "Объединить",
      delete: "Удалить",
      deleteConfirm_one: "Убрать у {{count}} контакта?",
      deleteConfirm_few: "Убрать у {{count}} контактов?",
      deleteConfirm_many: "Убрать у {{count}} контактов?",
      deleteConfirm_other: "Убрать у {{count}} контакта?",
      create: "Создать тег «{{name}}»",
      created: "Тег «{{name}}» создан",
    },
    testIntro:
      "Тест уходит только тестовому контакту: на ваш номер или адрес песочницы канала, никогда клиенту. Он начинается с «[Тест Parley]» и написан на языке рабочего пространства, если вы не выберете другой.",
    testTo: "Кому (тестовый контакт)",
    testToPlaceholder: "Ваш номер или адрес песочницы",
    testLanguage: "Язык",
    languages: { en: "Английский", ru: "Русский", uk: "Украинский" },
    reopenedByCustomer: "Клиент написал и снова открыл разговор",
  },
};
