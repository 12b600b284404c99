import type { ChannelType } from "@parley/protocol";
import { ApiError } from "../../api/client";

/** The channel types an admin connects from the UI (the web chat widget has its own set-up). */
export const CONNECTABLE = [
  "whatsapp",
  "telegram",
  "messenger",
  "instagram",
  "viber",
  "email",
  "api",
] as const;
export type ConnectableType = (typeof CONNECTABLE)[number];
export const isConnectable = (t: ChannelType): t is ConnectableType =>
  (CONNECTABLE as readonly string[]).includes(t);

/** One input of a connection form; `key` is the dotted path in `credentials` or `settings`. */
export interface FieldDef {
  key: string;
  group: "credentials" | "settings";
  kind: "text" | "secret" | "number" | "switch" | "url" | "email" | "textarea";
  required?: boolean;
  /** Whether the field has a hint (channels.hints.<id>). */
  hint?: boolean;
  initial?: string | boolean;
}

const cred = (
  key: string,
  kind: FieldDef["kind"],
  required = true,
  extra: Partial<FieldDef> = {},
): FieldDef => ({
  key,
  group: "credentials",
  kind,
  required,
  ...extra,
});
const mailServer = (p: "imap" | "smtp", port: string): FieldDef[] => [
  cred(`${p}.host`, "text"),
  cred(`${p}.port`, "number", true, { initial: port }),
  cred(`${p}.secure`, "switch", false, { initial: true }),
  cred(`${p}.user`, "text"),
  cred(`${p}.password`, "secret"),
];

/** The form of each type, following the adapters' credential and settings schemas (README, "Connecting messengers"). */
export const CHANNEL_FORMS: Record<ConnectableType, FieldDef[]> = {
  telegram: [cred("botToken", "secret", true, { hint: true })],
  whatsapp: [
    cred("phoneNumberId", "text"),
    cred("accessToken", "secret"),
    cred("appSecret", "secret"),
    cred("businessAccountId", "text", false, { hint: true }),
    cred("verifyToken", "secret", false, { hint: true }),
  ],
  messenger: [
    cred("pageId", "text"),
    cred("pageAccessToken", "secret"),
    cred("appSecret", "secret"),
    cred("verifyToken", "secret", false, { hint: true }),
    { key: "humanAgentTag", group: "settings", kind: "switch", hint: true, initial: false },
  ],
  instagram: [
    cred("igUserId", "text"),
    cred("appSecret", "secret"),
    cred("pageId", "text", false),
    cred("pageAccessToken", "secret", false, { hint: true }),
    cred("instagramAccessToken", "secret", false, { hint: true }),
    cred("verifyToken", "secret", false, { hint: true }),
    { key: "humanAgentTag", group: "settings", kind: "switch", hint: true, initial: false },
  ],
  viber: [
    cred("authToken", "secret"),
    cred("senderName", "text"),
    cred("senderAvatar", "url", false),
    { key: "welcomeMessage", group: "settings", kind: "textarea", hint: true },
  ],
  email: [
    cred("address", "email"),
    cred("displayName", "text", false),
    ...mailServer("imap", "993"),
    ...mailServer("smtp", "465"),
  ],
  api: [{ key: "outboundUrl", group: "settings", kind: "url", hint: true }],
};

/** The translation id of a field: dots become underscores (`imap.host` → `imap_host`). */
export const fieldId = (key: string) => key.replace(/\./g, "_") as FieldId;
export type FieldId =
  | "botToken"
  | "phoneNumberId"
  | "accessToken"
  | "appSecret"
  | "businessAccountId"
  | "verifyToken"
  | "pageId"
  | "pageAccessToken"
  | "igUserId"
  | "instagramAccessToken"
  | "authToken"
  | "senderName"
  | "senderAvatar"
  | "address"
  | "displayName"
  | `${"imap" | "smtp"}_${"host" | "port" | "secure" | "user" | "password"}`
  | "humanAgentTag"
  | "outboundUrl"
  | "welcomeMessage";

export type FormValues = Record<string, string | boolean>;

export function initialValues(fields: FieldDef[]): FormValues {
  return Object.fromEntries(fields.map((f) => [f.key, f.initial ?? (f.kind === "switch" ? false : "")]));
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
