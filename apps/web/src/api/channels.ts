import { useQuery } from "@tanstack/react-query";
import { get } from "./client";
import type { Answer } from "./types";

/** A channel connection as GET /api/connections lists it (credentials are never returned). */
export type Connection = Answer<"/api/connections">["connections"][number];
/** A provider message template (WhatsApp), with how many values each component needs. */
export type Template = Omit<Answer<"/api/connections/{id}/templates">["templates"][number], "components"> & {
  components: TemplateComponent[];
};
/** A template component as WhatsApp's Graph API describes it (the server passes it through as it came). */
export interface TemplateComponent {
  type: string;
  format?: string;
  text?: string;
  buttons?: { type: string; text?: string; url?: string }[];
}
export type Contact = Answer<"/api/contacts">["contacts"][number];

/**
 * A field of a connection form as the server's JSON schema (draft 2020-12) describes it: `title` and
 * `description` are i18n keys; `writeOnly` marks a secret; nested objects are groups of fields.
 */
export interface FormSchema {
  type?: string;
  title?: string;
  description?: string;
  format?: string;
  writeOnly?: boolean;
  "x-multiline"?: boolean;
  enum?: (string | number)[];
  default?: unknown;
  maxLength?: number;
  properties?: Record<string, FormSchema>;
  required?: string[];
  anyOf?: FormSchema[];
}

/**
 * A channel type this server offers, as GET /api/channel-types lists it; its form schemas are JSON schemas,
 * read through `FormSchema`.
 */
export type ChannelTypeInfo = Omit<
  Answer<"/api/channel-types">["channelTypes"][number],
  "credentials" | "settings"
> & {
  /** What the admin types; null when Parley generates every credential. */
  credentials: FormSchema | null;
  settings: FormSchema;
};

export const channelKeys = {
  channelTypes: ["channel-types"] as const,
  connections: ["connections"] as const,
  templates: (connectionId: string) => ["templates", connectionId] as const,
  contacts: (q: string) => ["contacts", q] as const,
};

export const useConnections = () =>
  useQuery({
    queryKey: channelKeys.connections,
    queryFn: () => get<{ connections: Connection[] }>("/api/connections").then((r) => r.connections),
  });

export const useChannelTypes = () =>
  useQuery({
    queryKey: channelKeys.channelTypes,
    queryFn: () => get<{ channelTypes: ChannelTypeInfo[] }>("/api/channel-types").then((r) => r.channelTypes),
    staleTime: Number.POSITIVE_INFINITY,
  });

export const useTemplates = (connectionId: string, enabled = true) =>
  useQuery({
    queryKey: channelKeys.templates(connectionId),
    queryFn: () =>
      get<{ templates: Template[] }>(`/api/connections/${connectionId}/templates`).then((r) => r.templates),
    enabled,
  });

export const useContactSearch = (q: string) =>
  useQuery({
    queryKey: channelKeys.contacts(q),
    queryFn: () =>
      get<{ contacts: Contact[] }>(
        `/api/contacts?${new URLSearchParams(q ? { q, limit: "50" } : { limit: "50" })}`,
      ).then((r) => r.contacts),
    placeholderData: (prev) => prev,
  });

/** The text a template renders to with the given values ({{n}} placeholders; empty ones stay visible). */
export function renderTemplateText(
  components: TemplateComponent[],
  values: { header: string[]; body: string[] },
): { header: string | null; body: string; footer: string | null } {
  const fill = (text: string, vals: string[]) =>
    text.replace(/\{\{(\d+)\}\}/g, (m, n: string) => vals[Number(n) - 1]?.trim() || m);
  const header = components.find((c) => c.type === "HEADER" && c.format === "TEXT" && c.text);
  const body = components.find((c) => c.type === "BODY");
  const footer = components.find((c) => c.type === "FOOTER");
  return {
    header: header?.text ? fill(header.text, values.header) : null,
    body: fill(body?.text ?? "", values.body),
    footer: footer?.text ?? null,
  };
}
