import { Attachment, ContactSummary, LIMITS, Message } from "@parley/protocol";
import { z } from "zod";
import { type AppContext, transact } from "../../context";
import { isManager } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { writeToContact } from "./write-to-contact";

interface ContactRow {
  id: string;
  name: string | null;
  nickname: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  avatar_url: string | null;
  blocked_at: Date | null;
  created_at: Date;
  tags?: { id: string; name: string; color: string; pinned: boolean }[];
}

const Contact = ContactSummary.extend({
  company: z.string().nullable(),
  createdAt: z.string(),
  tags: z.array(z.object({ id: z.string(), name: z.string(), color: z.string(), pinned: z.boolean() })),
});

const present = (r: ContactRow): z.infer<typeof Contact> => ({
  id: r.id,
  name: r.name,
  nickname: r.nickname,
  email: r.email,
  phone: r.phone,
  avatarUrl: r.avatar_url,
  blocked: r.blocked_at !== null,
  company: r.company,
  createdAt: iso(r.created_at)!,
  tags: r.tags ?? [],
});

const COLUMNS = `ct.id, ct.name, ct.nickname, ct.email, ct.phone, ct.company, ct.avatar_url, ct.blocked_at, ct.created_at,
  coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color, 'pinned', x.pinned) order by x.pinned desc, t.name)
    from contact_tags x join tags t on t.id = x.tag_id where x.contact_id = ct.id), '[]') as tags`;

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
      const actor = actorOf(req);
      const q = req.query.q?.toLowerCase();
      const rows = q
        ? await ctx.db.query<ContactRow>(
            `select ${COLUMNS} from contacts ct
             where ct.workspace_id = $1 and (ct.search_text like '%' || $2 || '%' or $2 <% ct.search_text)
             order by ct.search_text like '%' || $2 || '%' desc, word_similarity($2, ct.search_text) desc, ct.created_at desc
             limit $3`,
            [actor.workspaceId, q.replace(/[%_\\]/g, (m) => `\\${m}`), req.query.limit],
          )
        : await ctx.db.query<ContactRow>(
            `select ${COLUMNS} from contacts ct where ct.workspace_id = $1 order by ct.created_at desc limit $2`,
            [actor.workspaceId, req.query.limit],
          );
      return { contacts: rows.map(present) };
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
    async (req) => {
      const [row] = await ctx.db.query<ContactRow>(
        `select ${COLUMNS} from contacts ct where ct.workspace_id = $1 and ct.id = $2`,
        [actorOf(req).workspaceId, req.params.id],
      );
      if (!row) throw notFound("Contact");
      return { contact: present(row) };
    },
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
    async (req) => {
      const actor = actorOf(req);
      const fields = Object.entries(req.body).filter(([, v]) => v !== undefined);
      const sets = fields.map(([k], i) => `${k} = $${i + 3}`);
      const updated = await ctx.db.query(
        `update contacts set ${[...sets, `updated_at = now()`].join(", ")} where workspace_id = $1 and id = $2 returning id`,
        [actor.workspaceId, req.params.id, ...fields.map(([, v]) => v)],
      );
      if (!updated.length) throw notFound("Contact");
      const [row] = await ctx.db.query<ContactRow>(`select ${COLUMNS} from contacts ct where ct.id = $1`, [
        req.params.id,
      ]);
      return { contact: present(row!) };
    },
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
      async (req) => {
        const actor = actorOf(req);
        if (!isManager(actor.role)) {
          // Agents may block contacts of conversations they handle.
          const mine = await ctx.db.query(
            `select 1 from conversations c where c.contact_id = $1 and c.workspace_id = $2
               and (c.assignee_id = $3 or exists (select 1 from conversation_operators o where o.conversation_id = c.id and o.user_id = $3))`,
            [req.params.id, actor.workspaceId, actor.userId],
          );
          if (!mine.length) {
            const exists = await ctx.db.query("select 1 from contacts where id = $1 and workspace_id = $2", [
              req.params.id,
              actor.workspaceId,
            ]);
            if (!exists.length) throw notFound("Contact");
            throw forbidden(
              "Only the agent handling this contact's conversation or a supervisor can block or unblock them.",
            );
          }
        }
        await transact(ctx, async (tx) => {
          const r = await tx.q.query(
            `update contacts set blocked_at = ${blocked ? "coalesce(blocked_at, $3)" : "null"}, updated_at = $3 where workspace_id = $1 and id = $2 returning id`,
            [actor.workspaceId, req.params.id, tx.now],
          );
          if (!r.length) throw notFound("Contact");
          await tx.q.query(
            "insert into audit_log (workspace_id, user_id, action, target_type, target_id, ip, created_at) values ($1, $2, $3, 'contact', $4, $5, $6)",
            [actor.workspaceId, actor.userId, `contact.${verb}ed`, req.params.id, req.ip, tx.now],
          );
        });
        const [row] = await ctx.db.query<ContactRow>(`select ${COLUMNS} from contacts ct where ct.id = $1`, [
          req.params.id,
        ]);
        return { contact: present(row!) };
      },
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
      const actor = actorOf(req);
      const ok = await ctx.db.query(
        `select (select 1 from contacts where id = $2 and workspace_id = $1) as c, (select 1 from tags where id = $3 and workspace_id = $1) as t`,
        [actor.workspaceId, req.params.id, req.params.tagId],
      );
      const found = ok[0] as { c: number | null; t: number | null };
      if (!found.c) throw notFound("Contact");
      if (!found.t) throw notFound("Tag");
      await ctx.db.query(
        `insert into contact_tags (contact_id, tag_id, workspace_id, pinned) values ($1, $2, $3, $4)
         on conflict (contact_id, tag_id) do update set pinned = excluded.pinned`,
        [req.params.id, req.params.tagId, actor.workspaceId, req.body.pinned],
      );
      const [row] = await ctx.db.query<ContactRow>(`select ${COLUMNS} from contacts ct where ct.id = $1`, [
        req.params.id,
      ]);
      return { contact: present(row!) };
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
      const r = await ctx.db.query(
        "delete from contact_tags where contact_id = $1 and tag_id = $2 and workspace_id = $3 returning tag_id",
        [req.params.id, req.params.tagId, actorOf(req).workspaceId],
      );
      if (!r.length) throw notFound("Contact tag");
      return reply.code(204).send();
    },
  );

  const LinkParams = z.object({ id: z.uuid(), otherId: z.uuid() });
  const pair = (a: string, b: string) => (a < b ? [a, b] : [b, a]);

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
    async (req) => {
      const actor = actorOf(req);
      const exists = await ctx.db.query("select 1 from contacts where id = $1 and workspace_id = $2", [
        req.params.id,
        actor.workspaceId,
      ]);
      if (!exists.length) throw notFound("Contact");
      const rows = await ctx.db.query<ContactRow>(
        `select ${COLUMNS} from contacts ct where ct.workspace_id = $1 and ct.id in (
           select contact_b from contact_links where contact_a = $2 and workspace_id = $1
           union all select contact_a from contact_links where contact_b = $2 and workspace_id = $1)
         order by ct.name nulls last, ct.id`,
        [actor.workspaceId, req.params.id],
      );
      return { contacts: rows.map(present) };
    },
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
      const actor = actorOf(req);
      const { id, otherId } = req.params;
      const found = await ctx.db.query<{ id: string }>(
        "select id from contacts where workspace_id = $1 and id = any($2::uuid[])",
        [actor.workspaceId, [id, otherId]],
      );
      if (found.length !== new Set([id, otherId]).size) throw notFound("Contact");
      if (id === otherId) throw new AppError("validation_failed", "A contact cannot be linked to itself.");
      const [a, b] = pair(id, otherId);
      await ctx.db.query(
        `insert into contact_links (workspace_id, contact_a, contact_b, created_by) values ($1, $2, $3, $4)
         on conflict (contact_a, contact_b) do nothing`,
        [actor.workspaceId, a, b, actor.userId],
      );
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
      const [a, b] = pair(req.params.id, req.params.otherId);
      const r = await ctx.db.query(
        "delete from contact_links where workspace_id = $1 and contact_a = $2 and contact_b = $3 returning contact_a",
        [actorOf(req).workspaceId, a, b],
      );
      if (!r.length) throw notFound("Contact link");
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
