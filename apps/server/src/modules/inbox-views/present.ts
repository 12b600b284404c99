import { SavedFilterParams } from "./schema";

export interface SavedFilterRow {
  id: string;
  name: string;
  params: unknown;
}

/** A saved filter as answered; parameters stored by an older version that no longer pass are dropped. */
export function presentSavedFilter(r: SavedFilterRow) {
  const params = SavedFilterParams.safeParse(r.params);
  return { id: r.id, name: r.name, params: params.success ? params.data : {} };
}
