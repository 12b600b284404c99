import { Role, User } from "@parley/protocol";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { type AppContext, transact } from "../../context";
import { uniqueViolation } from "../../db/errors";
import { isAdmin } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import type { RealtimeHub } from "../../realtime/hub";
import { emailInvitation } from "../users/invitation-email";
import { presentUser, USER_COLUMNS, type UserRow } from "../users/present";
import { createSession, hashPassword, SESSION_COOKIE, timingDummy, verifyPassword } from "./sessions";
import { setupWorkspace } from "./setup-workspace";
import { SignInLimiter } from "./signin-limiter";

const Email = z
  .email()
  .max(320)
  .transform((e) => e.toLowerCase());
const Password = z.string().min(10, "must be at least 10 characters").max(200);
const SessionOut = z.object({
  user: User,
  csrfToken: z.string(),
  workspace: z.object({ id: z.string(), name: z.string() }),
});

export async function authRoutes(app: App, ctx: AppContext, hub: RealtimeHub) {
  const secureCookie = ctx.config.publicUrl.startsWith("https://");
  // Counts wrong passwords only: slows an account down, caps an address (see SignInLimiter).
  const signInLimiter = new SignInLimiter(ctx.config.SIGNIN_RATE_LIMIT, ctx.clock);

  async function signIn(req: FastifyRequest, reply: FastifyReply, user: UserRow) {
    const session = await createSession(
      ctx.db,
      user,
      ctx.config.SESSION_TTL_HOURS,
      { ip: req.ip, userAgent: req.headers["user-agent"] ?? null },
      ctx.clock.now(),
    );
    reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: "lax",
      secure: secureCookie,
      path: "/",
      expires: session.expiresAt,
    });
    const [ws] = await ctx.db.query<{ id: string; name: string }>(
      "select id, name from workspaces where id = $1",
      [user.workspace_id],
    );
    return { user: presentUser(user), csrfToken: session.csrfToken, workspace: ws! };
  }

  app.get(
    "/api/setup",
    {
      config: { auth: false },
      schema: {
        tags: ["auth"],
        summary: "Whether the first owner still has to be created",
        response: { 200: z.object({ needsSetup: z.boolean() }) },
      },
    },
    async () => {
      const rows = await ctx.db.query("select 1 from users limit 1");
      return { needsSetup: rows.length === 0 };
    },
  );

  app.post(
    "/api/setup",
    {
      config: { auth: false },
      schema: {
        tags: ["auth"],
        summary: "First run: create the workspace and its owner, and sign in",
        body: z.object({
          workspaceName: z.string().trim().min(1).max(120),
          name: z.string().trim().min(1).max(120),
          email: Email,
          password: Password,
        }),
        response: { 201: SessionOut },
      },
    },
    async (req, reply) => {
      const user = await setupWorkspace(ctx, req.body, { onlyIfEmpty: true });
      return reply.code(201).send(await signIn(req, reply, user));
    },
  );

  app.post(
    "/api/auth/sign-in",
    {
      config: { auth: false },
      schema: {
        tags: ["auth"],
        summary: "Sign in with email and password; sets the session cookie",
        body: z.object({ email: Email, password: z.string().min(1).max(200) }),
        response: { 200: SessionOut },
      },
    },
    async (req, reply) => {
      const { email } = req.body;
      const wait = await signInLimiter.waitMs(req.ip, email);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        reply.header("retry-after", String(seconds));
        throw new AppError("rate_limited", `Too many wrong passwords. Try again in ${seconds} seconds.`, {
          retryAfterSeconds: seconds,
        });
      }
      const [user] = await ctx.db.query<UserRow & { password_hash: string | null }>(
        `select ${USER_COLUMNS}, password_hash from users where lower(email) = $1 and status = 'active'`,
        [email],
      );
      const ok = user?.password_hash
        ? await verifyPassword(user.password_hash, req.body.password)
        : await verifyPassword(await timingDummy(), req.body.password).then(() => false);
      if (!user || !ok) {
        await signInLimiter.failed(req.ip, email);
        throw new AppError("invalid_credentials", "The email or password is wrong.");
      }
      await signInLimiter.succeeded(req.ip, email);
      return signIn(req, reply, user);
    },
  );

  app.post(
    "/api/auth/sign-out",
    { schema: { tags: ["auth"], summary: "End this session" } },
    async (req, reply) => {
      const actor = actorOf(req);
      await ctx.db.query("delete from sessions where id = $1", [actor.sessionId]);
      hub.closeSession(actor.workspaceId, actor.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/auth/session",
    {
      schema: {
        tags: ["auth"],
        summary: "The signed-in user, workspace and CSRF token",
        response: { 200: SessionOut },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const [user] = await ctx.db.query<UserRow>(`select ${USER_COLUMNS} from users where id = $1`, [
        actor.userId,
      ]);
      const [ws] = await ctx.db.query<{ id: string; name: string }>(
        "select id, name from workspaces where id = $1",
        [actor.workspaceId],
      );
      return { user: presentUser(user!), csrfToken: actor.csrfToken, workspace: ws! };
    },
  );

  // Invitations (admins invite agents; the link carries a one-time token).
  const Invitation = z.object({
    id: z.string(),
    email: z.string(),
    role: Role,
    expiresAt: z.string(),
    acceptedAt: z.string().nullable(),
    createdAt: z.string(),
  });
  interface InvitationRow {
    id: string;
    email: string;
    role: z.infer<typeof Role>;
    expires_at: Date;
    accepted_at: Date | null;
    created_at: Date;
  }
  const presentInvitation = (r: InvitationRow) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    expiresAt: iso(r.expires_at)!,
    acceptedAt: iso(r.accepted_at),
    createdAt: iso(r.created_at)!,
  });

  app.post(
    "/api/invitations",
    {
      schema: {
        tags: ["users"],
        summary: "Invite a person to the workspace (admins)",
        body: z.object({ email: Email, role: z.enum(["admin", "supervisor", "agent"]) }),
        response: {
          201: z.object({
            invitation: Invitation,
            acceptUrl: z.string(),
            /** Whether the link was also emailed (SMTP configured and the mail accepted). */
            emailed: z.boolean(),
          }),
        },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins can invite people.");
      if (req.body.role === "admin" && actor.role !== "owner")
        throw forbidden("Only the owner can invite admins.");
      const taken = await ctx.db.query("select 1 from users where lower(email) = $1", [req.body.email]);
      if (taken.length) throw new AppError("conflict", "A user with this email already exists.");
      const token = randomToken(32);
      const now = ctx.clock.now();
      const row = await transact(ctx, async (tx) => {
        const [inv] = await tx.q.query<InvitationRow>(
          `insert into invitations (workspace_id, email, role, token_hash, invited_by, expires_at, created_at)
           values ($1, $2, $3, $4, $5, $6, $7) returning id, email, role, expires_at, accepted_at, created_at`,
          [
            actor.workspaceId,
            req.body.email,
            req.body.role,
            sha256Hex(token),
            actor.userId,
            new Date(now.getTime() + 7 * 86400_000),
            now,
          ],
        );
        await tx.q.query(
          "insert into audit_log (workspace_id, user_id, action, target_type, target_id, data, ip) values ($1, $2, 'invitation.created', 'invitation', $3, $4, $5)",
          [
            actor.workspaceId,
            actor.userId,
            inv!.id,
            JSON.stringify({ email: req.body.email, role: req.body.role }),
            req.ip,
          ],
        );
        return inv!;
      });
      const acceptUrl = `${ctx.config.publicUrl}/invite/${token}`;
      const emailed = await emailInvitation(ctx, actor.userId, req.body.email, acceptUrl);
      return reply.code(201).send({ invitation: presentInvitation(row), acceptUrl, emailed });
    },
  );

  app.get(
    "/api/invitations",
    {
      schema: {
        tags: ["users"],
        summary: "Pending and accepted invitations (admins)",
        response: { 200: z.object({ invitations: z.array(Invitation) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins can see invitations.");
      const rows = await ctx.db.query<InvitationRow>(
        "select id, email, role, expires_at, accepted_at, created_at from invitations where workspace_id = $1 order by created_at desc limit 500",
        [actor.workspaceId],
      );
      return { invitations: rows.map(presentInvitation) };
    },
  );

  app.delete(
    "/api/invitations/:id",
    {
      schema: {
        tags: ["users"],
        summary: "Revoke an invitation (admins)",
        params: z.object({ id: z.uuid() }),
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins can revoke invitations.");
      const rows = await ctx.db.query(
        "delete from invitations where id = $1 and workspace_id = $2 and accepted_at is null returning id",
        [req.params.id, actor.workspaceId],
      );
      if (!rows.length) throw notFound("Invitation");
      return reply.code(204).send();
    },
  );

  const findInvitation = async (token: string) => {
    const [inv] = await ctx.db.query<{
      id: string;
      workspace_id: string;
      email: string;
      role: UserRow["role"];
      workspace_name: string;
    }>(
      `select i.id, i.workspace_id, i.email, i.role, w.name as workspace_name from invitations i
       join workspaces w on w.id = i.workspace_id
       where i.token_hash = $1 and i.accepted_at is null and i.expires_at > $2`,
      [sha256Hex(token), ctx.clock.now()],
    );
    if (!inv)
      throw new AppError(
        "not_found",
        "This invitation link is invalid, already used or expired. Ask for a new one.",
      );
    return inv;
  };

  app.get(
    "/api/invitations/accept/:token",
    {
      config: { auth: false },
      schema: {
        tags: ["users"],
        summary: "What an invitation link is for",
        params: z.object({ token: z.string().min(10).max(100) }),
        response: { 200: z.object({ email: z.string(), role: Role, workspaceName: z.string() }) },
      },
    },
    async (req) => {
      const inv = await findInvitation(req.params.token);
      return { email: inv.email, role: inv.role, workspaceName: inv.workspace_name };
    },
  );

  app.post(
    "/api/invitations/accept",
    {
      config: { auth: false },
      schema: {
        tags: ["users"],
        summary: "Accept an invitation: create the account and sign in",
        body: z.object({
          token: z.string().min(10).max(100),
          name: z.string().trim().min(1).max(120),
          password: Password,
        }),
        response: { 201: SessionOut },
      },
    },
    async (req, reply) => {
      const inv = await findInvitation(req.body.token);
      const passwordHash = await hashPassword(req.body.password);
      const user = await transact(ctx, async (tx) => {
        const claimed = await tx.q.query(
          "update invitations set accepted_at = $2 where id = $1 and accepted_at is null returning id",
          [inv.id, tx.now],
        );
        if (!claimed.length) throw new AppError("conflict", "This invitation has just been used.");
        // The email may have got an account since the invitation was sent (another invitation).
        const [u] = await tx.q
          .query<UserRow>(
            `insert into users (workspace_id, email, name, role, password_hash, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $6) returning ${USER_COLUMNS}`,
            [inv.workspace_id, inv.email, req.body.name, inv.role, passwordHash, tx.now],
          )
          .catch(uniqueViolation("A user with this email already exists: sign in instead."));
        return u!;
      });
      return reply.code(201).send(await signIn(req, reply, user));
    },
  );

  app.get(
    "/api/users",
    {
      schema: {
        tags: ["users"],
        summary: "People of the workspace",
        response: { 200: z.object({ users: z.array(User) }) },
      },
    },
    async (req) => {
      const rows = await ctx.db.query<UserRow>(
        `select ${USER_COLUMNS} from users where workspace_id = $1 order by name`,
        [actorOf(req).workspaceId],
      );
      return { users: rows.map(presentUser) };
    },
  );
}
