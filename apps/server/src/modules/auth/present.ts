import type { Role } from "@parley/protocol";
import { iso } from "../../lib/time";

export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  expires_at: Date;
  accepted_at: Date | null;
  created_at: Date;
  custom_role_id: string | null;
  custom_role_name: string | null;
}
export const INVITATION_COLUMNS = `id, email, role, expires_at, accepted_at, created_at, custom_role_id,
  (select r.name from roles r where r.id = custom_role_id) as custom_role_name`;

export const presentInvitation = (r: InvitationRow) => ({
  id: r.id,
  email: r.email,
  role: r.role,
  customRole:
    r.custom_role_id && r.custom_role_name ? { id: r.custom_role_id, name: r.custom_role_name } : null,
  expiresAt: iso(r.expires_at)!,
  acceptedAt: iso(r.accepted_at),
  createdAt: iso(r.created_at)!,
});
