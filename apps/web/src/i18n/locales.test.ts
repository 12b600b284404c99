import { describe, expect, it } from "vitest";
import { en } from "./locales/en";
import { ru } from "./locales/ru";
import { uk } from "./locales/uk";

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Every key as a path; plural forms collapse into their base key, which must have the forms the language needs. */
function keysOf(obj: object, prefix = ""): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === "object" && v !== null) {
      for (const [kk, forms] of keysOf(v, `${prefix}${k}.`)) out.set(kk, forms);
      continue;
    }
    expect(typeof v, `${prefix}${k}`).toBe("string");
    expect((v as string).trim(), `${prefix}${k} is empty`).not.toBe("");
    const form = PLURAL.exec(k)?.[1];
    const base = `${prefix}${k.replace(PLURAL, "")}`;
    const forms = out.get(base) ?? new Set<string>();
    if (form) forms.add(form);
    out.set(base, forms);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
function leaf(obj: object, path: string): string | undefined {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], obj) as
    | string
    | undefined;
}

describe("translations", () => {
  const reference = keysOf(en);
  for (const [lang, dict] of [
    ["ru", ru],
    ["uk", uk],
  ] as const) {
    it(`${lang} has every key of en, with the plural forms of ${lang} and the same placeholders`, () => {
      const keys = keysOf(dict);
      expect([...keys.keys()].sort()).toEqual([...reference.keys()].sort());
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const [key, forms] of reference) {
        if (forms.size === 0) {
          expect(placeholders(leaf(dict, key)!), key).toEqual(placeholders(leaf(en, key)!));
          continue;
        }
        expect([...keys.get(key)!].sort(), key).toEqual([...needed].sort());
      }
    });
  }
});
