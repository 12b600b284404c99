import type { enApiTokens } from "../en/api-tokens";

/** Налаштування → API: токени API робочого простору (R806). */
export const ukApiTokens: typeof enApiTokens = {
  apiTokens: {
    nav: "Токени API",
    title: "Токени API",
    intro:
      "Токен дає змогу скрипту чи іншій системі викликати REST API Parley з обраними вами правами. Він діє від вашого імені: його дії записуються як ваші, через токен.",
    noAccess: "Щоб керувати токенами API, потрібне право «Керування токенами API».",
    empty: "Токенів ще немає.",
    create: "Створити токен",
    columns: {
      name: "Назва",
      prefix: "Токен",
      permissions: "Права",
      createdBy: "Створив",
      created: "Створено",
      expires: "Спливає",
      lastUsed: "Останнє використання",
      status: "Стан",
    },
    never: "Ніколи",
    notUsed: "Ще не використовувався",
    lastUsedFrom: "{{time}} з адреси {{ip}}",
    active: "Активний",
    revoked: "Відкликано",
    expired: "Сплив",
    revoke: "Відкликати",
    revokeTitle: "Відкликати «{{name}}»?",
    revokeText: "Скрипти з цим токеном одразу перестануть працювати. Це не можна скасувати.",
    revokeConfirm: "Відкликати токен",
    cancel: "Скасувати",
    revokedNotice: "Токен «{{name}}» відкликано.",
    form: {
      title: "Новий токен API",
      name: "Назва",
      namePlaceholder: "Синхронізація з CRM",
      permissions: "Права",
      permissionsHint: "Оберіть лише те, що потрібно скрипту. Можна надати тільки ті права, які маєте ви.",
      expiry: "Спливає",
      expiryOptions: { never: "Ніколи", d30: "Через 30 днів", d90: "Через 90 днів", d365: "Через рік" },
      submit: "Створити токен",
      needPermission: "Оберіть хоча б одне право.",
    },
    secret: {
      title: "Скопіюйте токен зараз",
      warning:
        "Токен показується лише один раз. Збережіть його в надійному місці: Parley зберігає тільки його відбиток.",
      copy: "Скопіювати",
      copied: "Скопійовано",
      example: "Спробуйте:",
      done: "Я скопіював токен",
    },
    permissions: {
      conversations: {
        view_all: "Бачити й вести всі розмови",
        reply: "Відповідати в розмовах",
        delete: "Видаляти розмови",
        bulk: "Масові дії з розмовами",
      },
      data: {
        export: "Вивантажувати дані",
      },
      contacts: {
        erase: "Вивантажувати й видаляти персональні дані контактів",
      },
      channels: {
        manage: "Керувати підключеннями каналів",
      },
      people: {
        manage: "Керувати людьми й командами",
      },
      policy: {
        manage: "Керувати політикою прочитань і сповіщень",
      },
      reports: {
        view: "Переглядати звіти",
      },
      content: {
        manage: "Керувати шаблонами відповідей і тегами",
      },
      automation: {
        manage: "Керувати автоматизацією",
      },
      api: {
        manage: "Керувати токенами API",
      },
      audit: {
        view: "Переглядати журнал аудиту",
      },
      workspace: {
        manage: "Керувати налаштуваннями простору",
      },
    },
  },
};
