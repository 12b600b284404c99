import type { TFunction } from "i18next";

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** The list's time column: the time today, the day this year, the full date before. */
export function listTime(iso: string, lang: string, now = new Date()): string {
  const d = new Date(iso);
  if (startOfDay(d) === startOfDay(now))
    return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" }).format(d);
  if (d.getFullYear() === now.getFullYear())
    return new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" }).format(d);
  return new Intl.DateTimeFormat(lang, { day: "2-digit", month: "2-digit", year: "numeric" }).format(d);
}

export const timeOfDay = (iso: string, lang: string) =>
  new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));

export const fullDateTime = (iso: string, lang: string) =>
  new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }).format(new Date(iso));

/** The feed's day separator: today, yesterday, or the date in the agent's language. */
export function dayLabel(iso: string, lang: string, t: TFunction, now = new Date()): string {
  const day = startOfDay(new Date(iso));
  const today = startOfDay(now);
  if (day === today) return t("feed.today");
  if (today - day <= 26 * 3600_000 && today > day) return t("feed.yesterday");
  const d = new Date(iso);
  return new Intl.DateTimeFormat(lang, {
    day: "numeric",
    month: "long",
    ...(d.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }),
  }).format(d);
}

export const dayKey = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
};
