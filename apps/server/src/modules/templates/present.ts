import { z } from "zod";
import type { ProviderTemplate } from "../../channels/types";
import { iso } from "../../lib/time";
import { shapeOf, variableCounts } from "./render";

export interface TemplateRow {
  id: string;
  connection_id: string;
  provider_template_id: string | null;
  name: string;
  language: string;
  category: string | null;
  status: ProviderTemplate["status"];
  components: unknown[];
  synced_at: Date;
}
export const TEMPLATE_COLUMNS =
  "id, connection_id, provider_template_id, name, language, category, status, components, synced_at";

export const Template = z.object({
  id: z.string(),
  providerTemplateId: z.string().nullable(),
  name: z.string(),
  language: z.string(),
  category: z.string().nullable(),
  status: z.string(),
  components: z.array(z.unknown()),
  /** How many values each component needs. */
  variables: z.object({ header: z.number(), body: z.number(), buttons: z.number() }),
  /** The kind of file its media header needs (given as `headerFile` when sending), or null. */
  headerMedia: z.enum(["image", "video", "document"]).nullable(),
  /** false when Parley cannot send it (e.g. a location header); `unsupported` says why. */
  sendable: z.boolean(),
  unsupported: z.string().nullable(),
  syncedAt: z.string(),
});

export function presentTemplate(r: TemplateRow): z.infer<typeof Template> {
  const shape = shapeOf(r.components);
  return {
    id: r.id,
    providerTemplateId: r.provider_template_id,
    name: r.name,
    language: r.language,
    category: r.category,
    status: r.status,
    components: r.components,
    variables: variableCounts(shape),
    headerMedia: shape.headerMedia,
    sendable: !shape.unsupported,
    unsupported: shape.unsupported,
    syncedAt: iso(r.synced_at)!,
  };
}
