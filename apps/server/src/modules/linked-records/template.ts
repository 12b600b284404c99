/**
 * Request templates of linked records (R703), pure: which placeholders exist, checking a template, filling it
 * in with every value JSON-escaped, and reading the answer's id and URL by a dotted path.
 */

/** The fixed placeholders; `{{source.<key>}}` names any key of the conversation's source (UTM, referrer…). */
export const PLACEHOLDERS = [
  "contact.id",
  "contact.name",
  "contact.phone",
  "contact.email",
  "channel.type",
  "channel.name",
  "conversation.id",
  "conversation.number",
  "message.text",
  "source.utm_source",
  "source.utm_medium",
  "source.utm_campaign",
  "source.utm_term",
  "source.utm_content",
  "source.referrer",
] as const;

const PLACEHOLDER = /\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}/gi;
const SOURCE_KEY = /^source\.[a-z0-9_]{1,60}$/i;

export type Values = Record<string, string>;

const known = (name: string) => (PLACEHOLDERS as readonly string[]).includes(name) || SOURCE_KEY.test(name);

/**
 * What is wrong with a body template, in words a person can act on, or null: every placeholder must be known
 * and stand inside a JSON string, and the template must be JSON once filled in.
 */
export function templateProblem(template: string): string | null {
  const unknown = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((n) => !known(n));
  if (unknown.length)
    return `Unknown placeholder${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `{{${n}}}`).join(", ")}: use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")} or {{source.<key>}}.`;
  try {
    // A value with quotes and a backslash must still leave valid JSON: placeholders belong inside strings.
    JSON.parse(fill(template, () => 'a"b\\c'));
  } catch {
    return 'The body is not valid JSON once filled in: write it as JSON and put each placeholder inside a string, e.g. {"name": "{{contact.name}}"}.';
  }
  return null;
}

function fill(template: string, value: (name: string) => string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => JSON.stringify(value(name)).slice(1, -1));
}

/** The body with every placeholder replaced by its value JSON-escaped (an unknown or missing value is empty). */
export const renderBody = (template: string, values: Values) => fill(template, (name) => values[name] ?? "");

/** A dotted path into a JSON answer (`data.id`, `items.0.url`): a string or number there, as text, or null. */
export function readPath(json: unknown, path: string): string | null {
  let at: unknown = json;
  for (const part of path.split(".")) {
    if (at === null || typeof at !== "object") return null;
    at = (at as Record<string, unknown>)[part];
  }
  return typeof at === "string" || typeof at === "number" ? String(at) : null;
}

export const PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;
