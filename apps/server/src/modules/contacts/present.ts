import { Contact, ContactTag } from "@parley/protocol";
import type { Selectable } from "kysely";
import type { z } from "zod";
import type { Contacts } from "../../db/schema";
import { iso } from "../../lib/time";

/** A contact as the API answers it (the schema lives in the protocol: contact events carry it too). */
export { Contact, ContactTag };

export type ContactRow = Pick<
  Selectable<Contacts>,
  "id" | "name" | "nickname" | "email" | "phone" | "company" | "avatar_url" | "blocked_at" | "created_at"
> & { tags: z.infer<typeof ContactTag>[] };

export const presentContact = (r: ContactRow): z.infer<typeof Contact> => ({
  id: r.id,
  name: r.name,
  nickname: r.nickname,
  email: r.email,
  phone: r.phone,
  avatarUrl: r.avatar_url,
  blocked: r.blocked_at !== null,
  company: r.company,
  createdAt: iso(r.created_at)!,
  tags: r.tags,
});
