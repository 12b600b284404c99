import type { AppContext } from "../../context";
import { transact } from "../../context";
import { AppError } from "../../lib/errors";
import { conversationNumberSequence } from "../conversations/numbers";
import { USER_COLUMNS, type UserRow } from "../users/present";
import { hashPassword } from "./sessions";

/** Creates a workspace and its owner. With `onlyIfEmpty` (first run), refuses once any user exists. */
export async function setupWorkspace(
  ctx: AppContext,
  input: { workspaceName: string; name: string; email: string; password: string },
  opts: { onlyIfEmpty: boolean },
): Promise<UserRow> {
  const passwordHash = await hashPassword(input.password);
  return transact(ctx, async (tx) => {
    await tx.q.query("select pg_advisory_xact_lock(727275)");
    if (opts.onlyIfEmpty) {
      const any = await tx.q.query("select 1 from users limit 1");
      if (any.length) throw new AppError("already_set_up", "Parley is already set up: sign in instead.");
    }
    const taken = await tx.q.query("select 1 from users where lower(email) = lower($1)", [input.email]);
    if (taken.length) throw new AppError("conflict", "A user with this email already exists.");
    const [ws] = await tx.q.query<{ id: string }>(
      "insert into workspaces (name, created_at) values ($1, $2) returning id",
      [input.workspaceName, tx.now],
    );
    await tx.q.query(`create sequence ${conversationNumberSequence(ws!.id)}`);
    const [user] = await tx.q.query<UserRow>(
      `insert into users (workspace_id, email, name, role, password_hash, created_at, updated_at)
       values ($1, lower($2), $3, 'owner', $4, $5, $5) returning ${USER_COLUMNS}`,
      [ws!.id, input.email, input.name, passwordHash, tx.now],
    );
    return user!;
  });
}
