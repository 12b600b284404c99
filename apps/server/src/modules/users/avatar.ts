import { imageSize } from "image-size";
import { AppError } from "../../lib/errors";

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
const AVATAR_MAX_SIDE = 4096;
/** Raster formats only: an SVG could carry script. */
export const AVATAR_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
};

/**
 * Reads the image header and answers its format and size, or refuses what is not a raster image Parley
 * shows as an avatar (the declared content type is not trusted).
 */
export function checkAvatar(data: Buffer): { mimeType: string; width: number; height: number } {
  let info: { type?: string; width?: number; height?: number };
  try {
    info = imageSize(data);
  } catch {
    throw new AppError("unsupported_media_type", "The avatar must be a PNG, JPEG, WebP or GIF image.");
  }
  const mimeType = info.type ? AVATAR_TYPES[info.type] : undefined;
  if (!mimeType)
    throw new AppError("unsupported_media_type", "The avatar must be a PNG, JPEG, WebP or GIF image.");
  const width = info.width ?? 0;
  const height = info.height ?? 0;
  if (width < 1 || height < 1 || width > AVATAR_MAX_SIDE || height > AVATAR_MAX_SIDE)
    throw new AppError(
      "unprocessable",
      `The avatar must be at most ${AVATAR_MAX_SIDE}×${AVATAR_MAX_SIDE} pixels.`,
    );
  return { mimeType, width, height };
}
