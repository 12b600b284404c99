import type { Queryable } from "../../../db/client";
import { recordAudit } from "../../audit/record";

/** Who is proving themselves, from where. */
export interface Prover {
  userId: string;
  workspaceId: string;
  email: string;
  ip: string;
  userAgent: string | null;
}

/** An audit entry about a person's own two-factor sign-in (`auth.*`), with where the request came from. */
export const auditAuth = (q: Queryable, who: Prover, action: string, data: unknown, at: Date) =>
  recordAudit(q, {
    workspaceId: who.workspaceId,
    userId: who.userId,
    action,
    targetType: "user",
    targetId: who.userId,
    data,
    ip: who.ip,
    userAgent: who.userAgent,
    at,
  });
