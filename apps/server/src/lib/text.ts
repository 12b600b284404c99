/**
 * Characters PostgreSQL cannot store: NUL (U+0000) in text and jsonb, and UTF-16 surrogates without their
 * pair (not a character at all; jsonb refuses their escapes).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character looked for.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSTORABLE_ONE = new RegExp(UNSTORABLE.source);

export const isStorable = (s: string) => !UNSTORABLE_ONE.test(s);

/** A text as it can be stored: NUL removed, a lone surrogate replaced by U+FFFD. */
export const storableText = (s: string) =>
  isStorable(s) ? s : s.replace(UNSTORABLE, (c) => (c === "\u0000" ? "" : "\ufffd"));

/** A plain dictionary: `{}`, `Object.create(null)`, or the query parser's objects (a prototype-less prototype). */
const isPlain = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
};

/**
 * Cleans every string of a parsed value in place (object keys included), as storableText does: what a
 * provider or a site visitor sends is kept, without the characters that would stop it being stored. Only
 * plain objects and arrays are walked; other values (buffers, dates) are left as they are.
 */
export function storableDeep<T>(value: T): T {
  if (typeof value === "string") return storableText(value) as T;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = storableDeep(value[i]);
    return value;
  }
  if (!isPlain(value)) return value;
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const cleanKey = storableText(key);
    const v = storableDeep(obj[key]);
    if (cleanKey !== key) {
      delete obj[key];
      if (!(cleanKey in obj)) obj[cleanKey] = v;
    } else obj[key] = v;
  }
  return value;
}

/** The path (`body.text`, `query.q`) of the first string that cannot be stored, or null when all can. */
export function unstorableAt(value: unknown, path: string): string | null {
  if (typeof value === "string") return isStorable(value) ? null : path;
  if (value === null || typeof value !== "object") return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableAt(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (!isPlain(value)) return null;
  for (const [key, v] of Object.entries(value)) {
    if (!isStorable(key)) return path;
    const found = unstorableAt(v, `${path}.${key}`);
    if (found) return found;
  }
  return null;
}
