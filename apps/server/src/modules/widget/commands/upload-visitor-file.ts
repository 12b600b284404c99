import { attachmentProblemText, fileProblem, isPreviewImage } from "@parley/protocol";
import type { AppContext } from "../../../context";
import { AppError } from "../../../lib/errors";
import { storeBuffer } from "../../../storage/files";
import type { UploadBody } from "../schema";
import type { Visitor } from "../visitors";

/** Stores a visitor's file within the connection's limit; the visitor then sends it by its id. */
export async function uploadVisitorFile(ctx: AppContext, visitor: Visitor, body: UploadBody) {
  const data = Buffer.from(body.data, "base64");
  const problem = fileProblem(
    { name: body.name, size: data.length, image: isPreviewImage(body.mimeType) },
    { maxBytes: visitor.settings.maxFileBytes, maxPerMessage: 10 },
  );
  if (problem) {
    throw new AppError(
      problem.code === "too_large" ? "payload_too_large" : "unsupported_media_type",
      attachmentProblemText(problem),
      problem,
    );
  }
  const attachment = await storeBuffer(ctx.db, ctx.blobs, visitor.workspaceId, {
    name: body.name,
    mimeType: body.mimeType,
    data,
    sourceUrl: `widget:${visitor.id}`,
    maxBytes: visitor.settings.maxFileBytes,
  });
  if (attachment.error) throw new AppError("unavailable", attachment.error);
  return { fileId: attachment.url.split("/").at(-1)!, attachment };
}
