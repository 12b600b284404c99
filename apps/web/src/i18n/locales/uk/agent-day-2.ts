/** День агента, доопрацювання (see en/agent-day-2.ts); locales.test.ts checks the keys against English. */
export const ukAgentDay2 = {
  agentDay2: {
    seenBy: {
      count_one: "Бачили: {{count}}",
      count_few: "Бачили: {{count}}",
      count_many: "Бачили: {{count}}",
      count_other: "Бачили: {{count}}",
    },
    status: {
      current: "Статус: {{status}}. Змінити статус",
      set: "Змінити статус",
      close: "Закрити",
      reopen: "Відкрити знову",
      closeHint: "Закрити розмову: нове повідомлення відкриє її знову",
      reopenHint: "Знову відкрити розмову",
    },
    profile: {
      short: "Профіль",
      open: "{{address}}, відкриється в новій вкладці",
      title: "Профілі в мережах",
      none: "Ця мережа не дає посилання на профіль.",
    },
    calendar: {
      view: "Показати завдання",
      views: { list: "Список", month: "Місяць", week: "Тиждень" },
      today: "Сьогодні",
      previous: { month: "Попередній місяць", week: "Попередній тиждень" },
      next: { month: "Наступний місяць", week: "Наступний тиждень" },
      empty: "На ці дні нічого не заплановано.",
      more_one: "ще {{count}}",
      more_few: "ще {{count}}",
      more_many: "ще {{count}}",
      more_other: "ще {{count}}",
      allDay: "Увесь день",
      kind: { task: "Завдання", event: "Подія", reminder: "Нагадування" },
      open: "відкрити розмову",
    },
    form: { required: "Заповніть поле «{{field}}»." },
  },
};
