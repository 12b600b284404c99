import type { TFunction } from "i18next";

/** Seconds as "45 s", "12 min", "3.5 h"; a dash when nothing was measured. */
export function duration(t: TFunction, s: number | null): string {
  if (s === null) return "—";
  if (s < 60) return t("receiptReports.seconds", { n: Math.round(s) });
  if (s < 3600) return t("receiptReports.minutes", { n: Math.round(s / 60) });
  return t("receiptReports.hours", { n: Math.round((s / 3600) * 10) / 10 });
}
export const percent = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10}%`);
