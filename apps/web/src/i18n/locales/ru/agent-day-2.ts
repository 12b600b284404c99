/** День агента, доработки (see en/agent-day-2.ts); locales.test.ts checks the keys against English. */
export const ruAgentDay2 = {
  agentDay2: {
    seenBy: {
      count_one: "Видели: {{count}}",
      count_few: "Видели: {{count}}",
      count_many: "Видели: {{count}}",
      count_other: "Видели: {{count}}",
    },
    status: {
      current: "Статус: {{status}}. Изменить статус",
      set: "Изменить статус",
      close: "Закрыть",
      reopen: "Открыть снова",
      closeHint: "Закрыть разговор: новое сообщение откроет его снова",
      reopenHint: "Снова открыть разговор",
    },
    profile: {
      short: "Профиль",
      open: "{{address}}, откроется в новой вкладке",
      title: "Профили в сетях",
      none: "Эта сеть не даёт ссылки на профиль.",
    },
    calendar: {
      view: "Показать задачи",
      views: { list: "Список", month: "Месяц", week: "Неделя" },
      today: "Сегодня",
      previous: { month: "Предыдущий месяц", week: "Предыдущая неделя" },
      next: { month: "Следующий месяц", week: "Следующая неделя" },
      empty: "На эти дни ничего не запланировано.",
      more_one: "ещё {{count}}",
      more_few: "ещё {{count}}",
      more_many: "ещё {{count}}",
      more_other: "ещё {{count}}",
      allDay: "Весь день",
      kind: { task: "Задача", event: "Событие", reminder: "Напоминание" },
      open: "открыть разговор",
    },
    form: { required: "Заполните поле «{{field}}»." },
  },
};
