export interface ContactTag {
  id: string;
  name: string;
  color: string;
  pinned: boolean;
}

/** A contact as the side panel edits it. */
export interface Contact {
  id: string;
  name: string | null;
  nickname: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  avatarUrl: string | null;
  blocked: boolean;
  tags: ContactTag[];
}
