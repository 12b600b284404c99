import { Attachment, ChannelType, LIMITS, Message } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { type App, actorOf, requestSource } from "../../http/types";
import { setContactBlocked } from "./commands/block-contact";
import { editContact } from "./commands/edit-contact";
import { linkContacts, unlinkContacts } from "./commands/link-contacts";
import { tagContact, untagContact } from "./commands/tag-contact";
import { Contact } from "./present";
import { linkedContacts, loadContact, searchContacts } from "./queries/contacts";
import { contactProfiles } from "./queries/profiles";
import { writeToContact } from "./write-to-contact";

const IdParams = z.object({ id: z.uuid() });
const tags = ["contacts"];

export async function contactRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/contacts",
    {
      schema: {
        tags,
        summary: "Search contacts by name, nickname, phone or email (typo-tolerant), or list the newest",
        querystring: z.object({
          q: z.string().trim().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
        }),
        response: { 200: z.object({ contacts: z.array(Contact) }) },
      },
    },
    async (req) => {
      const { workspaceId } = actorOf(req);
      return { contacts: await searchContacts(ctx.db, workspaceId, req.query.q, req.query.limit) };
    },
  );

  app.get(
    "/api/contacts/:id",
    {
      schema: {
        tags,
        summary: "One contact",
        params: IdParams,
        response: { 200: z.object({ contact: Contact }) },
      },
    },
    async (req) => ({ contact: await loadContact(ctx.db, actorOf(req).workspaceId, req.params.id) }),
  );

  app.patch(
    "/api/contacts/:id",
    {
      schema: {
        tags,
        summary: "Edit a contact",
        params: IdParams,
        body: z
          .object({
            name: z.string().trim().max(255).nullable(),
            nickname: z.string().trim().max(255).nullable(),
            email: z.email().max(320).nullable(),
            phone: z.string().trim().max(64).nullable(),
            company: z.string().trim().max(255).nullable(),
          })
          .partial(),
        response: { 200: z.object({ contact: Contact }) },
      },
    },
    async (req) => ({
      contact: await editContact(ctx, actorOf(req).workspaceId, req.params.id, req.body),
    }),
  );

  for (const [verb, blocked] of [
    ["block", true],
    ["unblock", false],
  ] as const) {
    app.post(
      `/api/contacts/:id/${verb}`,
      {
        schema: {
          tags,
          summary: blocked ? "Block: no messages sent or received" : "Unblock",
          params: IdParams,
          response: { 200: z.object({ contact: Contact }) },
        },
      },
      async (req) => ({
        contact: await setContactBlocked(ctx, actorOf(req), req.params.id, blocked, requestSource(req)),
      }),
    );
  }

  app.put(
    "/api/contacts/:id/tags/:tagId",
    {
      schema: {
        tags,
        summary: "Tag a contact (or change whether the tag is pinned)",
        params: z.object({ id: z.uuid(), tagId: z.uuid() }),
        body: z.object({ pinned: z.boolean().default(false) }).default({ pinned: false }),
        response: { 200: z.object({ contact: Contact }) },
      },
    },
    async (req) => {
      const { id, tagId } = req.params;
      return { contact: await tagContact(ctx, actorOf(req).workspaceId, id, tagId, req.body.pinned) };
    },
  );

  app.delete(
    "/api/contacts/:id/tags/:tagId",
    {
      schema: {
        tags,
        summary: "Remove a tag from a contact",
        params: z.object({ id: z.uuid(), tagId: z.uuid() }),
      },
    },
    async (req, reply) => {
      await untagContact(ctx, actorOf(req).workspaceId, req.params.id, req.params.tagId);
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/contacts/:id/profiles",
    {
      schema: {
        tags,
        summary:
          "Links to the contact's profiles on the networks it wrote from (Telegram, Instagram, WhatsApp), one per identity",
        params: IdParams,
        response: {
          200: z.object({
            profiles: z.array(
              z.object({
                connectionId: z.string(),
                channel: ChannelType,
                connectionName: z.string(),
                url: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({
      profiles: await contactProfiles(ctx.db, actorOf(req).workspaceId, req.params.id),
    }),
  );

  const LinkParams = z.object({ id: z.uuid(), otherId: z.uuid() });

  app.get(
    "/api/contacts/:id/links",
    {
      schema: {
        tags,
        summary: "Contacts linked to this one (the same person known twice, a colleague...)",
        params: IdParams,
        response: { 200: z.object({ contacts: z.array(Contact) }) },
      },
    },
    async (req) => ({
      contacts: await linkedContacts(ctx.db, actorOf(req).workspaceId, req.params.id),
    }),
  );

  app.put(
    "/api/contacts/:id/links/:otherId",
    {
      schema: {
        tags,
        summary: "Link two contacts of the workspace (from either side; linking twice changes nothing)",
        params: LinkParams,
        response: { 200: z.object({ linked: z.literal(true) }) },
      },
    },
    async (req) => {
      await linkContacts(ctx, actorOf(req), req.params.id, req.params.otherId);
      return { linked: true as const };
    },
  );

  app.delete(
    "/api/contacts/:id/links/:otherId",
    {
      schema: {
        tags,
        summary: "Unlink two contacts: both contacts stay, only the link goes",
        params: LinkParams,
      },
    },
    async (req, reply) => {
      await unlinkContacts(ctx, actorOf(req).workspaceId, req.params.id, req.params.otherId);
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/contacts/:id/messages",
    {
      schema: {
        tags,
        summary:
          "Write to a contact (e.g. one whose conversation is closed): it reopens and is assigned to you (R501)",
        params: IdParams,
        body: z.object({
          connectionId: z.uuid().nullish(),
          text: z.string().max(LIMITS.messageTextChars).nullish(),
          attachments: z.array(Attachment).max(10).default([]),
          clientId: z.string().min(1).max(100).nullish(),
        }),
        response: { 201: z.object({ conversationId: z.string(), message: Message }) },
      },
    },
    async (req, reply) => {
      const r = await writeToContact(ctx, actorOf(req), {
        contactId: req.params.id,
        connectionId: req.body.connectionId ?? null,
        text: req.body.text ?? null,
        attachments: req.body.attachments,
        clientId: req.body.clientId ?? null,
      });
      return reply.code(201).send({ conversationId: r.conversationId, message: r.message });
    },
  );
}
