import { ContactSummary } from "@parley/protocol";
import { z } from "zod";
import { iso } from "../../lib/time";

export const ContactTag = z.object({
  id: z.string(),
  name: z.string(),
  color: z.string(),
  pinned: z.boolean(),
});

/** A contact as the API answers it: the summary, the company, when it was created, its tags. */
export const Contact = ContactSummary.extend({
  company: z.string().nullable(),
  createdAt: z.string(),
  tags: z.array(ContactTag),
});

export interface ContactRow {
  id: string;
  name: string | null;
  nickname: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  avatar_url: string | null;
  blocked_at: Date | null;
  created_at: Date;
  tags: z.infer<typeof ContactTag>[];
}

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
