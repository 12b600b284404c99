import type { ChannelTypeInfo, FormSchema } from "../../api/channels";
import { ApiError } from "../../api/client";

/** One input of a connection form; `key` is the dotted path in `credentials` or `settings`. */
export interface FieldDef {
  key: string;
  group: "credentials" | "settings";
  kind: "text" | "secret" | "number" | "switch" | "url" | "email" | "textarea" | "select";
  required: boolean;
  /** i18n keys of the label and of the help text (the server's schema names them). */
  label: string;
  hint: string | null;
  /** The i18n key of the group heading of a nested field (e.g. the IMAP server). */
  section: string | null;
  initial: string | boolean;
  options: string[];
  maxLength: number | null;
}

/** A nullable field (`anyOf: [X, null]`) is its non-null part, keeping the outer title and help. */
function unwrap(s: FormSchema): FormSchema {
  const inner = s.anyOf?.find((x) => x.type !== "null");
  return inner ? { ...inner, ...s, anyOf: undefined, type: inner.type } : s;
}

function kindOf(s: FormSchema): FieldDef["kind"] {
  if (s.type === "boolean") return "switch";
  if (s.type === "integer" || s.type === "number") return "number";
  if (s.enum) return "select";
  if (s.writeOnly) return "secret";
  if (s.format === "uri") return "url";
  if (s.format === "email") return "email";
  if (s["x-multiline"]) return "textarea";
  return "text";
}

function walk(
  schema: FormSchema,
  group: FieldDef["group"],
  prefix: string,
  section: string | null,
  out: FieldDef[],
) {
  const required = new Set(schema.required ?? []);
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const s = unwrap(raw);
    const key = prefix ? `${prefix}.${name}` : name;
    if (s.type === "object") {
      walk(s, group, key, s.title ?? null, out);
      continue;
    }
    const kind = kindOf(s);
    out.push({
      key,
      group,
      kind,
      required: required.has(name),
      label: s.title ?? name,
      hint: s.description ?? null,
      section,
      initial:
        typeof s.default === "boolean"
          ? s.default
          : s.default != null
            ? String(s.default)
            : kind === "switch"
              ? false
              : "",
      options: (s.enum ?? []).map(String),
      maxLength: s.maxLength ?? null,
    });
  }
}

/** The fields of a channel's connection form, from the JSON schemas the server gives. */
export function formFields(info: ChannelTypeInfo | undefined): FieldDef[] {
  if (!info) return [];
  const out: FieldDef[] = [];
  if (info.credentials) walk(info.credentials, "credentials", "", null, out);
  walk(info.settings, "settings", "", null, out);
  return out;
}

export type FormValues = Record<string, string | boolean>;

export function initialValues(fields: FieldDef[]): FormValues {
  return Object.fromEntries(fields.map((f) => [f.key, f.initial]));
}

function setPath(obj: Record<string, unknown>, key: string, value: unknown) {
  const parts = key.split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    cur[p] ??= {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

/** The request's `credentials` and `settings` from the form; empty optional fields are left out. */
export function toPayload(fields: FieldDef[], values: FormValues) {
  const out = { credentials: {} as Record<string, unknown>, settings: {} as Record<string, unknown> };
  for (const f of fields) {
    const v = values[f.key];
    if (f.kind === "switch") {
      setPath(out[f.group], f.key, Boolean(v));
      continue;
    }
    const s = typeof v === "string" ? v.trim() : "";
    if (!s) {
      if (f.group === "settings") setPath(out.settings, f.key, null);
      continue;
    }
    setPath(out[f.group], f.key, f.kind === "number" ? Number(s) : s);
  }
  return out;
}

/** Field errors of a 400 validation_failed: the server's message for each field it names. */
export function fieldErrors(err: unknown, fields: FieldDef[]): Record<string, string> {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return {};
  const known = new Set(fields.map((f) => f.key));
  const out: Record<string, string> = {};
  for (const d of err.details as { path?: unknown; message?: string }[]) {
    const parts = Array.isArray(d.path)
      ? d.path.map(String)
      : typeof d.path === "string"
        ? d.path.split("/").filter(Boolean)
        : [];
    if (parts[0] === "credentials" || parts[0] === "settings" || parts[0] === "body") parts.shift();
    if (parts[0] === "credentials" || parts[0] === "settings") parts.shift();
    const key = parts.join(".");
    if (known.has(key) && d.message && !out[key]) out[key] = d.message;
  }
  return out;
}

/** The required fields left empty (switches are never empty), to say so beside each before anything is sent. */
export const emptyRequired = (fields: FieldDef[], values: FormValues) =>
  fields.filter((f) => f.required && f.kind !== "switch" && !String(values[f.key] ?? "").trim());
