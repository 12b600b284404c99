import type { TFunction } from "i18next";

/**
 * One `Intl.DateTimeFormat` per language and set of options, made once: building one costs far more than
 * formatting with it, and the list's rows and the feed's messages format a date each on every render.
 */
const formats = new WeakMap<Intl.DateTimeFormatOptions, Map<string, Intl.DateTimeFormat>>();
function dateFormat(lang: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let byLang = formats.get(options);
  if (!byLang) {
    byLang = new Map();
    formats.set(options, byLang);
  }
  let f = byLang.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, options);
    byLang.set(lang, f);
  }
  return f;
}
const TIME = { hour: "2-digit", minute: "2-digit" } as const;
const DAY_MONTH = { day: "numeric", month: "short" } as const;
const DATE = { day: "2-digit", month: "2-digit", year: "numeric" } as const;
const FULL = { dateStyle: "long", timeStyle: "short" } as const;
const DAY_LONG = { day: "numeric", month: "long" } as const;
const DAY_LONG_YEAR = { day: "numeric", month: "long", year: "numeric" } as const;

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** The list's time column: the time today, the day this year, the full date before. */
export function listTime(iso: string, lang: string, now = new Date()): string {
  const d = new Date(iso);
  if (startOfDay(d) === startOfDay(now)) return dateFormat(lang, TIME).format(d);
  if (d.getFullYear() === now.getFullYear()) return dateFormat(lang, DAY_MONTH).format(d);
  return dateFormat(lang, DATE).format(d);
}

export const timeOfDay = (iso: string, lang: string) => dateFormat(lang, TIME).format(new Date(iso));

/**
 * The full date and time (a message's tooltip, every message of a feed on each visit): formatting with the
 * long date style costs enough to keep the last few thousand answers.
 */
const fullTexts = new Map<string, string>();
export function fullDateTime(iso: string, lang: string): string {
  const key = `${lang} ${iso}`;
  let text = fullTexts.get(key);
  if (text === undefined) {
    if (fullTexts.size >= 5000) fullTexts.clear();
    text = dateFormat(lang, FULL).format(new Date(iso));
    fullTexts.set(key, text);
  }
  return text;
}

/** The feed's day separator: today, yesterday, or the date in the agent's language. */
export function dayLabel(iso: string, lang: string, t: TFunction, now = new Date()): string {
  const day = startOfDay(new Date(iso));
  const today = startOfDay(now);
  if (day === today) return t("feed.today");
  if (today - day <= 26 * 3600_000 && today > day) return t("feed.yesterday");
  const d = new Date(iso);
  return dateFormat(lang, d.getFullYear() === now.getFullYear() ? DAY_LONG : DAY_LONG_YEAR).format(d);
}

export const dayKey = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
};
