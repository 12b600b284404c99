import { ChannelType } from "@parley/protocol";
import { z } from "zod";
import type { ChannelAdapter } from "./types";

/** A JSON schema (draft 2020-12) of a connection form's fields; the web app renders the form from it. */
const FormSchema = z.record(z.string(), z.unknown());

/** What GET /api/channel-types tells about one channel type. */
export const ChannelTypeInfo = z.object({
  type: ChannelType,
  /** Connected from the Channels page (false: the web chat widget, which has its own set-up). */
  connectable: z.boolean(),
  capabilities: z.record(z.string(), z.unknown()),
  /** The credentials the admin types; null when Parley generates all of them. Secrets are `writeOnly`. */
  credentials: FormSchema.nullable(),
  settings: FormSchema,
});
export type ChannelTypeInfo = z.infer<typeof ChannelTypeInfo>;

/** The JSON schema of what a form sends (zod's input side), without the `$schema` marker. */
function formSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return json;
}

/** A channel type as the web app sees it: its capabilities and the JSON schemas of its connection form. */
export function describeChannel(adapter: ChannelAdapter): ChannelTypeInfo {
  return {
    type: adapter.type,
    connectable: adapter.connectable ?? true,
    capabilities: { ...adapter.capabilities },
    credentials: adapter.credentialsSchema ? formSchema(adapter.credentialsSchema) : null,
    settings: formSchema(adapter.settingsSchema),
  };
}
