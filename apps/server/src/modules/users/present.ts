import type { User } from "@parley/protocol";

export interface UserRow {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: User["role"];
  locale: string;
  avatar_url: string | null;
  status: User["status"];
}

export const USER_COLUMNS = "id, workspace_id, email, name, role, locale, avatar_url, status";

export const presentUser = (u: UserRow): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  locale: u.locale,
  avatarUrl: u.avatar_url,
  status: u.status,
});
