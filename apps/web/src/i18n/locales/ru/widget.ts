/** The website chat widget settings. Top-level keys here must not clash with another file's. */
export const ruWidget = {
  widgetAdmin: {
    nav: "Чат на сайте",
    title: "Чат на сайте",
    subtitle: "Чат на вашем сайте: один тег script, настройка здесь, ответы во входящих.",
    adminsOnly: "Чат на сайте настраивают только владельцы и администраторы.",
    empty: "Виджетов пока нет. Дайте ему имя, чтобы создать.",
    newName: "Название нового виджета",
    create: "Создать виджет",
    save: "Сохранить",
    saved: "Сохранено",
    saveFailed: "Не удалось сохранить настройки.",
    copy: "Копировать",
    copied: "Скопировано",
    fields: {
      allowedOrigins: "Разрешённые сайты",
      greeting: "Приветствие",
      color: "Цвет",
      language: "Язык",
      position: "Расположение",
      preChat: "Анкета перед чатом",
      autoCloseMinutes: "Закрывать после ухода посетителя (минут)",
      maxFileMb: "Максимальный файл (МБ)",
      readReceipts: "Показывать посетителям, что сообщения прочитаны",
      identityVerification: "Проверка личности",
    },
    hints: {
      allowedOrigins:
        "Источники, где можно встроить чат, например https://shop.example (Enter после каждого).",
      autoCloseMinutes: "Разговор закрывается, если посетитель не вернулся за это время.",
      readReceipts:
        "Также нужно, чтобы отчёты о прочтении были разрешены в настройках рабочего пространства.",
      identityVerification:
        "Принимать вошедшего пользователя только с HMAC, который ваш сервер вычисляет секретом личности.",
    },
    position: { left: "Слева", right: "Справа" },
    languages: { en: "Английский", ru: "Русский", uk: "Украинский" },
    preChatFields: { name: "Имя", email: "Email", phone: "Телефон" },
    preChatModes: { off: "Не спрашивать", optional: "Необязательно", required: "Обязательно" },
    preview: {
      heading: "Предпросмотр",
      title: "Напишите нам",
      sample: "Здравствуйте! У меня вопрос.",
      placeholder: "Введите сообщение…",
      preChat: "Посетитель заполняет анкету перед первым сообщением.",
    },
    embed: {
      heading: "Код для вставки",
      hint: "Вставьте его перед </body> на каждой странице, где нужен чат.",
    },
    reveal: {
      title: "Виджет создан",
      warning:
        "Секрет личности показывается только сейчас. Храните его на сервере, никогда не вставляйте в страницу.",
      identitySecret: "Секрет личности",
      identityHint:
        "Ваш сервер вычисляет HMAC-SHA256 от id вошедшего пользователя с этим секретом (hex) и передаёт его в data-user-hash.",
      done: "Готово",
    },
  },
};
