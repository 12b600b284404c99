import { Role } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { mustHold } from "../../../domain/permissions";
import { type App, actorOf, requestSource } from "../../../http/types";
import { acceptInvitation } from "../commands/accept-invitation";
import { invite } from "../commands/invite";
import { revokeInvitation } from "../commands/revoke-invitation";
import { findInvitation, listInvitations } from "../queries/invitations";
import { Email, Invitation, InvitationToken, Password, SessionOut } from "../schema";
import { signInReply } from "./session-cookie";

const tags = ["users"];

/** Invitations: admins invite people; the emailed link carries a one-time token. */
export function invitationRoutes(app: App, ctx: AppContext) {
  app.post(
    "/api/invitations",
    {
      schema: {
        tags,
        summary: "Invite a person to the workspace (admins)",
        body: z.object({
          email: Email,
          /** A built-in role; or leave it out and give `customRoleId`. */
          role: z.enum(["admin", "supervisor", "agent"]).optional(),
          /** A custom role of the workspace: the person joins holding it. */
          customRoleId: z.uuid().optional(),
        }),
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
      mustHold(actor, "people.manage");
      return reply.code(201).send(await invite(ctx, actor, req.body, requestSource(req)));
    },
  );

  app.get(
    "/api/invitations",
    {
      schema: {
        tags,
        summary: "Pending and accepted invitations (admins)",
        response: { 200: z.object({ invitations: z.array(Invitation) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "people.manage");
      return { invitations: await listInvitations(ctx.db, actor.workspaceId) };
    },
  );

  app.delete(
    "/api/invitations/:id",
    {
      schema: {
        tags,
        summary: "Revoke an invitation (admins)",
        params: z.object({ id: z.uuid() }),
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      mustHold(actor, "people.manage");
      await revokeInvitation(ctx, actor, req.params.id, requestSource(req));
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/invitations/accept/:token",
    {
      config: { auth: false },
      schema: {
        tags,
        summary: "What an invitation link is for",
        params: z.object({ token: InvitationToken }),
        response: { 200: z.object({ email: z.string(), role: Role, workspaceName: z.string() }) },
      },
    },
    async (req) => {
      const inv = await findInvitation(ctx.db, req.params.token, ctx.clock.now());
      return { email: inv.email, role: inv.role, workspaceName: inv.workspace_name };
    },
  );

  app.post(
    "/api/invitations/accept",
    {
      config: { auth: false },
      schema: {
        tags,
        summary: "Accept an invitation: create the account and sign in",
        body: z.object({
          token: InvitationToken,
          name: z.string().trim().min(1).max(120),
          password: Password,
        }),
        response: { 201: SessionOut },
      },
    },
    async (req, reply) => {
      const user = await acceptInvitation(ctx, req.body, requestSource(req));
      return reply.code(201).send(await signInReply(ctx, req, reply, user));
    },
  );
}
