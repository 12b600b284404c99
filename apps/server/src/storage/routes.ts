import { z } from "zod";
import type { AppContext } from "../context";
import { type App, actorOf } from "../http/types";
import { notFound } from "../lib/errors";

export async function fileRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/files/:id",
    {
      schema: {
        tags: ["files"],
        summary: "Download a stored file (media of a message)",
        params: z.object({ id: z.uuid() }),
      },
    },
    async (req, reply) => {
      const [file] = await ctx.db.query<{
        name: string;
        mime_type: string;
        size: number;
        storage_key: string;
      }>("select name, mime_type, size, storage_key from files where workspace_id = $1 and id = $2", [
        actorOf(req).workspaceId,
        req.params.id,
      ]);
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
