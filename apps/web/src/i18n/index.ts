import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./locales/en";

export const LANGUAGES = ["en", "ru", "uk"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "parley.language";

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof en };
  }
}

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (LANGUAGES.includes(stored as Language)) return stored as Language;
  const browser = navigator.language.slice(0, 2);
  return LANGUAGES.includes(browser as Language) ? (browser as Language) : "en";
}

/** Russian and Ukrainian load on demand: English (the fallback) is in the first load, the others are not. */
const LOADERS: Record<Exclude<Language, "en">, () => Promise<typeof en>> = {
  ru: () => import("./locales/ru").then((m) => m.ru as typeof en),
  uk: () => import("./locales/uk").then((m) => m.uk as typeof en),
};

/** Loads a language's texts (no-op once loaded); `getFixedT` of another language needs this first. */
export async function loadLanguage(lang: Language) {
  if (lang === "en" || i18n.hasResourceBundle(lang, "translation")) return;
  i18n.addResourceBundle(lang, "translation", await LOADERS[lang]());
}

const first = initialLanguage();
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en } },
  lng: first,
  fallbackLng: "en",
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = first;

/** Resolves once the first language's texts are loaded: the app renders after it (no English flash). */
export const i18nReady: Promise<void> = loadLanguage(first).then(
  () => void i18n.changeLanguage(first),
  () => undefined,
);

export function setLanguage(lang: Language) {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  void loadLanguage(lang).then(() => i18n.changeLanguage(lang));
}

export default i18n;
