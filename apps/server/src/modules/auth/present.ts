import type { Role } from "@parley/protocol";
import { iso } from "../../lib/time";

export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  expires_at: Date;
  accepted_at: Date | null;
  created_at: Date;
}
export const INVITATION_COLUMNS = "id, email, role, expires_at, accepted_at, created_at";

export const presentInvitation = (r: InvitationRow) => ({
  id: r.id,
  email: r.email,
  role: r.role,
  expiresAt: iso(r.expires_at)!,
  acceptedAt: iso(r.accepted_at),
  createdAt: iso(r.created_at)!,
});
