import type { AlertRuleId } from "./rules";

interface Facts {
  count: number;
  windowMinutes: number;
  details: Record<string, unknown>;
}

type Describe = (f: Facts) => string;

/** One sentence per rule, in the reader's language (emails; the app translates on its own). */
const WORDS: Record<
  "en" | "ru" | "uk",
  { subject: string; rules: Record<AlertRuleId, Describe>; open: string }
> = {
  en: {
    subject: "Parley security alert",
    open: "Review and acknowledge",
    rules: {
      sign_in_failures_account: (f) =>
        `${f.count} failed sign-ins for one account within ${f.windowMinutes} min`,
      sign_in_failures_address: (f) =>
        `${f.count} failed sign-ins from one address within ${f.windowMinutes} min`,
      new_device: (f) => `Sign-in from a new device (${f.details.device}) and address (${f.details.ip})`,
      large_export: (f) => `Large export: ${f.details.rows} rows`,
      mass_erasure: (f) => `${f.count} contacts erased within ${f.windowMinutes} min`,
      mass_deletion: (f) => `${f.count} conversations deleted within ${f.windowMinutes} min`,
      api_token_new_address: (f) => `API token used from a new address (${f.details.ip})`,
    },
  },
  ru: {
    subject: "Parley: предупреждение безопасности",
    open: "Просмотреть и подтвердить",
    rules: {
      sign_in_failures_account: (f) =>
        `Неудачных входов в одну учётную запись: ${f.count} за ${f.windowMinutes} мин`,
      sign_in_failures_address: (f) =>
        `Неудачных входов с одного адреса: ${f.count} за ${f.windowMinutes} мин`,
      new_device: (f) => `Вход с нового устройства (${f.details.device}) и адреса (${f.details.ip})`,
      large_export: (f) => `Большая выгрузка: строк — ${f.details.rows}`,
      mass_erasure: (f) => `Удалено контактов: ${f.count} за ${f.windowMinutes} мин`,
      mass_deletion: (f) => `Удалено диалогов: ${f.count} за ${f.windowMinutes} мин`,
      api_token_new_address: (f) => `API-токен использован с нового адреса (${f.details.ip})`,
    },
  },
  uk: {
    subject: "Parley: попередження безпеки",
    open: "Переглянути й підтвердити",
    rules: {
      sign_in_failures_account: (f) =>
        `Невдалих входів в один обліковий запис: ${f.count} за ${f.windowMinutes} хв`,
      sign_in_failures_address: (f) => `Невдалих входів з однієї адреси: ${f.count} за ${f.windowMinutes} хв`,
      new_device: (f) => `Вхід з нового пристрою (${f.details.device}) та адреси (${f.details.ip})`,
      large_export: (f) => `Велике вивантаження: рядків — ${f.details.rows}`,
      mass_erasure: (f) => `Стерто контактів: ${f.count} за ${f.windowMinutes} хв`,
      mass_deletion: (f) => `Видалено розмов: ${f.count} за ${f.windowMinutes} хв`,
      api_token_new_address: (f) => `API-токен використано з нової адреси (${f.details.ip})`,
    },
  },
};

export const alertWords = (locale: string) => WORDS[locale.slice(0, 2) as keyof typeof WORDS] ?? WORDS.en;
