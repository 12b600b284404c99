import type { Readable } from "node:stream";
import { Attachment, isPreviewImage } from "@parley/protocol";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../context";
import { type App, actorOf } from "../http/types";
import { AppError, notFound } from "../lib/errors";
import { conversationForActor } from "../modules/conversations/access";
import { canReadFile } from "./access";
import { conversationAttachments, findFile } from "./queries";
import { requestedRange } from "./range";
import { verifyFileSignature } from "./signed-urls";
import { storeUpload } from "./uploads";

export async function fileRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/files/:id",
    {
      // Either a signed-in agent who may read a conversation the file belongs to, or a short-lived signed
      // link (providers fetching media).
      config: { auth: false },
      schema: {
        tags: ["files"],
        summary: "Download a stored file (media of a message): with a session, or with a signed link",
        params: z.object({ id: z.uuid() }),
        querystring: z.object({
          expires: z.coerce.number().int().optional(),
          signature: z.string().max(128).optional(),
          /** Show an image in the page (previews) instead of downloading it; ignored for other types. */
          inline: z.enum(["1", "true"]).optional(),
        }),
      },
    },
    async (req, reply) => {
      const { expires, signature } = req.query;
      let workspaceId: string | null = req.actor?.workspaceId ?? null;
      if (expires !== undefined || signature !== undefined) {
        if (!verifyFileSignature(ctx.secrets, req.params.id, expires, signature, ctx.clock.now())) {
          throw new AppError("forbidden", "This file link is invalid or has expired.");
        }
        workspaceId = null; // the signature names the file itself
      } else if (!workspaceId) {
        throw new AppError("unauthenticated", "Sign in to continue.");
      }
      const file = await findFile(ctx.db, req.params.id, workspaceId);
      // With a session, the file is seen only by those who may read a conversation that carries it: a
      // hidden one's file looks the same as a missing one.
      if (!file || (workspaceId && !(await canReadFile(ctx.db, actorOf(req), file)))) throw notFound("File");
      // Only the image types Parley previews are ever shown in the page; everything else downloads.
      const inline = req.query.inline !== undefined && isPreviewImage(file.mime_type);
      // One byte range (players seeking in audio and video, resumed downloads); refused past the end.
      let range: ReturnType<typeof requestedRange>;
      try {
        range = requestedRange(req.headers.range, file.size);
      } catch (err) {
        reply.header("content-range", `bytes */${file.size}`);
        throw err;
      }
      if (range) reply.code(206).header("content-range", `bytes ${range.start}-${range.end}/${file.size}`);
      return reply
        .header("content-type", file.mime_type)
        .header("content-length", String(range ? range.end - range.start + 1 : file.size))
        .header("accept-ranges", "bytes")
        .header(
          "content-disposition",
          // An ASCII fallback for old clients (quotes, backslashes and non-ASCII replaced), then the exact name.
          `${inline ? "inline" : "attachment"}; filename="${file.name.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${rfc5987(file.name)}`,
        )
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, max-age=3600")
        .send(ctx.blobs.get(file.storage_key, range ?? undefined));
    },
  );

  const Uploaded = Attachment.extend({ id: z.string(), image: z.boolean() });

  // Uploads are raw bodies (the file's bytes, any type), streamed to the store: no multipart parsing, no
  // buffering, and the size limit applies while the bytes arrive.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    // The built-in JSON and text parsers would take .json and .txt files first: every type is the file here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, payload, done) => done(null, payload));
    scope.post(
      "/api/conversations/:id/files",
      {
        schema: {
          tags: ["files"],
          summary:
            "Upload a file to attach to a reply or note: the body is the file, `name` its name; refused by type and by the channel's size limit",
          params: z.object({ id: z.uuid() }),
          querystring: z.object({ name: z.string().trim().min(1).max(255).default("file") }),
          response: { 201: z.object({ file: Uploaded }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const body = req.body as Readable | undefined;
        const { row, policy } = await conversationForActor(ctx.db, actor, req.params.id);
        if (!policy.reply && !policy.note) {
          body?.resume();
          throw new AppError("forbidden", "You cannot write in this conversation.");
        }
        if (!body || typeof (body as Readable).pipe !== "function")
          throw new AppError("validation_failed", "Send the file's bytes as the request body.");
        const length = Number(req.headers["content-length"]);
        const file = await storeUpload(ctx.db, ctx.blobs, {
          workspaceId: actor.workspaceId,
          userId: actor.userId,
          conversationId: row.id,
          channel: row.connection_type,
          name: req.query.name,
          declaredType: req.headers["content-type"],
          declaredSize: Number.isFinite(length) ? length : undefined,
          body,
        });
        return reply.code(201).send({ file });
      },
    );
  });

  app.get(
    "/api/conversations/:id/attachments",
    {
      schema: {
        tags: ["files"],
        summary: "Every image and file of a conversation, newest first (the attachments panel)",
        params: z.object({ id: z.uuid() }),
        response: {
          200: z.object({
            attachments: z.array(
              Attachment.extend({
                messageId: z.string(),
                direction: z.string(),
                createdAt: z.string(),
                image: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      await conversationForActor(ctx.db, actor, req.params.id);
      const rows = await conversationAttachments(ctx.db, actor.workspaceId, req.params.id);
      return {
        attachments: rows
          .filter((r) => r.a.url && !r.a.error)
          .map((r) => ({
            ...r.a,
            messageId: r.message_id,
            direction: r.direction,
            createdAt: r.created_at.toISOString(),
            image: isPreviewImage(r.a.mimeType),
          })),
      };
    },
  );
}

/** A header parameter value (RFC 5987): encodeURIComponent leaves ' ( ) * as they are, which the syntax forbids. */
const rfc5987 = (name: string) =>
  encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
