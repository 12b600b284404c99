import type { Queryable } from "../../../db/client";
import type { SecretBox } from "../../../lib/crypto";
import { AppError, notFound } from "../../../lib/errors";

/** What a sign-in in progress keeps, sealed: any process may take the next step with it. */
export interface LoginState {
  apiId: number;
  apiHash: string;
  phone: string;
  phoneCodeHash: string;
  /** The session the code was asked on: the code and the password are checked on the same key. */
  session: string;
}

export interface LoginRow {
  id: string;
  workspace_id: string;
  connection_id: string | null;
  name: string;
  step: "code" | "password";
  state_enc: string;
  password_hint: string | null;
  expires_at: Date;
}

/** How long a started sign-in may wait for its next step. */
export const LOGIN_TTL_MS = 15 * 60_000;

/** The sign-in of the caller's workspace, locked for this step; 404 when it is not theirs, 410-like when stale. */
export async function loadLogin(
  q: Queryable,
  secrets: SecretBox,
  workspaceId: string,
  id: string,
  step: "code" | "password",
  now: Date,
): Promise<{ row: LoginRow; state: LoginState }> {
  const [row] = await q.query<LoginRow>(
    `select id, workspace_id, connection_id, name, step, state_enc, password_hint, expires_at
     from telegram_user_logins where id = $1 and workspace_id = $2`,
    [id, workspaceId],
  );
  if (!row) throw notFound("Telegram sign-in");
  if (row.expires_at.getTime() <= now.getTime())
    throw new AppError("unprocessable", "This sign-in waited too long: start again with the phone number.", {
      reason: "restart",
    });
  if (row.step !== step)
    throw new AppError(
      "conflict",
      row.step === "password"
        ? "The code was accepted already: enter the account's password."
        : "Enter the code first.",
      { reason: "wrong_step", step: row.step },
    );
  return { row, state: secrets.open<LoginState>(row.state_enc) };
}
