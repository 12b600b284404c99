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
  custom_role_id: string | null;
  custom_role_name: string | null;
}

/** The custom role's name, beside the columns of `users` (works in a select and in a returning clause). */
export const CUSTOM_ROLE_NAME_SQL = "(select r.name from roles r where r.id = custom_role_id)";

export const USER_COLUMNS = `id, workspace_id, email, name, role, locale, avatar_url, status, custom_role_id, ${CUSTOM_ROLE_NAME_SQL} as custom_role_name`;

export const presentUser = (u: UserRow): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  locale: u.locale,
  avatarUrl: u.avatar_url,
  status: u.status,
  customRole:
    u.custom_role_id && u.custom_role_name ? { id: u.custom_role_id, name: u.custom_role_name } : null,
});
