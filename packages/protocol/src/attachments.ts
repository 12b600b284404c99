/**
 * What an agent may attach to one message (R204), shared by the composer (which says why before uploading)
 * and the server (which refuses with the same reason). No zod here: the web app imports it directly.
 */

/** At most this many bytes in one message, whatever the channel. */
export const ATTACHMENTS_TOTAL_MAX_BYTES = 500 * 1024 * 1024;
/** A message carries one file, or up to this many images. */
export const ATTACHMENT_IMAGES_MAX = 10;

/** Image types shown as previews; the server recognises them by their bytes, not by the declared type. */
export const PREVIEW_IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;

/** Files that run code when opened (or render as pages): refused, whatever the channel. */
const BLOCKED_EXTENSIONS = new Set([
  "exe",
  "msi",
  "bat",
  "cmd",
  "com",
  "scr",
  "pif",
  "cpl",
  "vbs",
  "vbe",
  "js",
  "jse",
  "wsf",
  "ps1",
  "jar",
  "sh",
  "html",
  "htm",
  "xhtml",
  "svg",
  "hta",
  "lnk",
  "dll",
]);

export interface AttachmentLimits {
  /** Per file (from the channel's capability record). */
  maxBytes: number;
  /** Per image, where the channel has a lower limit for images. */
  imageMaxBytes?: number;
  maxPerMessage: number;
}

export type AttachmentProblem =
  | { code: "not_supported" }
  | { code: "blocked_type"; name: string }
  | { code: "too_large"; name: string; maxBytes: number }
  | { code: "total_too_large"; maxBytes: number }
  | { code: "too_many"; max: number }
  | { code: "one_file_only" };

export const isPreviewImage = (mimeType: string) =>
  (PREVIEW_IMAGE_TYPES as readonly string[]).includes(mimeType.toLowerCase());

export const extensionOf = (name: string) => {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
};

/** One file on its own: its type, then its size. */
export function fileProblem(
  file: { name: string; size: number; image: boolean },
  limits: AttachmentLimits | null,
): AttachmentProblem | null {
  if (!limits) return { code: "not_supported" };
  if (BLOCKED_EXTENSIONS.has(extensionOf(file.name))) return { code: "blocked_type", name: file.name };
  const max = file.image
    ? Math.min(limits.imageMaxBytes ?? limits.maxBytes, limits.maxBytes)
    : limits.maxBytes;
  if (file.size > max) return { code: "too_large", name: file.name, maxBytes: max };
  return null;
}

/** The files of one message: each on its own, then one file or up to 10 images, then the total. */
export function attachmentsProblem(
  files: { name: string; size: number; image: boolean }[],
  limits: AttachmentLimits | null,
): AttachmentProblem | null {
  if (files.length === 0) return null;
  for (const f of files) {
    const p = fileProblem(f, limits);
    if (p) return p;
  }
  const max = Math.min(ATTACHMENT_IMAGES_MAX, limits!.maxPerMessage);
  if (files.length > 1 && files.some((f) => !f.image)) return { code: "one_file_only" };
  if (files.length > max) return { code: "too_many", max };
  const total = files.reduce((s, f) => s + f.size, 0);
  if (total > ATTACHMENTS_TOTAL_MAX_BYTES)
    return { code: "total_too_large", maxBytes: ATTACHMENTS_TOTAL_MAX_BYTES };
  return null;
}

/** The problem in English words, for the API's error message (the UI translates the code instead). */
export function attachmentProblemText(p: AttachmentProblem): string {
  const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
  switch (p.code) {
    case "not_supported":
      return "This channel does not accept files.";
    case "blocked_type":
      return `${p.name}: files of this type cannot be sent (programs and web pages are refused).`;
    case "too_large":
      return `${p.name} is larger than this channel accepts (${mb(p.maxBytes)}).`;
    case "total_too_large":
      return `The files of one message may not exceed ${mb(p.maxBytes)} together.`;
    case "too_many":
      return `At most ${p.max} images can be sent in one message on this channel.`;
    case "one_file_only":
      return "A message carries one file, or up to 10 images.";
  }
}
