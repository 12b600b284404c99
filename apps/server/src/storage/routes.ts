import { z } from "zod";
import type { AppContext } from "../context";
import type { App } from "../http/types";
import { AppError, notFound } from "../lib/errors";
import { verifyFileSignature } from "./signed-urls";

export async function fileRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/files/:id",
    {
      // Either a signed-in agent of the file's workspace, or a short-lived signed link (providers fetching media).
      config: { auth: false },
      schema: {
        tags: ["files"],
        summary: "Download a stored file (media of a message): with a session, or with a signed link",
        params: z.object({ id: z.uuid() }),
        querystring: z.object({
          expires: z.coerce.number().int().optional(),
          signature: z.string().max(128).optional(),
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
      const [file] = await ctx.db.query<{
        name: string;
        mime_type: string;
        size: number;
        storage_key: string;
      }>(
        "select name, mime_type, size, storage_key from files where id = $1 and ($2::uuid is null or workspace_id = $2)",
        [req.params.id, workspaceId],
      );
      if (!file) throw notFound("File");
      return reply
        .header("content-type", file.mime_type)
        .header("content-length", String(file.size))
        .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
        .header("x-content-type-options", "nosniff")
        .send(ctx.blobs.get(file.storage_key));
    },
  );
}
