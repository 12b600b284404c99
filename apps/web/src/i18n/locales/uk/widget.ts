/** The website chat widget settings. Top-level keys here must not clash with another file's. */
export const ukWidget = {
  widgetAdmin: {
    nav: "Чат на сайті",
    title: "Чат на сайті",
    subtitle: "Чат на вашому сайті: один тег script, налаштування тут, відповіді у вхідних.",
    adminsOnly: "Чат на сайті налаштовують лише власники та адміністратори.",
    empty: "Віджетів ще немає. Дайте йому назву, щоб створити.",
    newName: "Назва нового віджета",
    create: "Створити віджет",
    save: "Зберегти",
    saved: "Збережено",
    saveFailed: "Не вдалося зберегти налаштування.",
    copy: "Копіювати",
    copied: "Скопійовано",
    fields: {
      allowedOrigins: "Дозволені сайти",
      greeting: "Привітання",
      color: "Колір",
      language: "Мова",
      position: "Розташування",
      preChat: "Анкета перед чатом",
      autoCloseMinutes: "Закривати після відходу відвідувача (хвилин)",
      maxFileMb: "Найбільший файл (МБ)",
      readReceipts: "Показувати відвідувачам, що повідомлення прочитані",
      identityVerification: "Перевірка особи",
    },
    hints: {
      allowedOrigins:
        "Джерела, де можна вбудувати чат, наприклад https://shop.example (Enter після кожного).",
      autoCloseMinutes: "Розмова закривається, якщо відвідувач не повернувся за цей час.",
      readReceipts:
        "Також потрібно, щоб звіти про прочитання були дозволені в налаштуваннях робочого простору.",
      identityVerification:
        "Приймати користувача, що увійшов, лише з HMAC, який ваш сервер обчислює секретом особи.",
    },
    position: { left: "Ліворуч", right: "Праворуч" },
    languages: { en: "Англійська", ru: "Російська", uk: "Українська" },
    preChatFields: { name: "Ім'я", email: "Email", phone: "Телефон" },
    preChatModes: { off: "Не питати", optional: "Необов'язково", required: "Обов'язково" },
    preview: {
      heading: "Попередній перегляд",
      title: "Напишіть нам",
      sample: "Вітаю! У мене питання.",
      placeholder: "Введіть повідомлення…",
      preChat: "Відвідувач заповнює анкету перед першим повідомленням.",
    },
    embed: {
      heading: "Код для вставлення",
      hint: "Вставте його перед </body> на кожній сторінці, де потрібен чат.",
    },
    reveal: {
      title: "Віджет створено",
      warning:
        "Секрет особи показується лише зараз. Зберігайте його на сервері, ніколи не вставляйте в сторінку.",
      identitySecret: "Секрет особи",
      identityHint:
        "Ваш сервер обчислює HMAC-SHA256 від id користувача, що увійшов, з цим секретом (hex) і передає його в data-user-hash.",
      done: "Готово",
    },
  },
};
