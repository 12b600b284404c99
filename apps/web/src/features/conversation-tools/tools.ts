import type { Attachment, ChannelType, Message } from "@parley/protocol";
import {
  type AttachmentProblem,
  attachmentsProblem,
  isPreviewImage,
  PREVIEW_IMAGE_TYPES,
} from "@parley/protocol/attachments";
import { CAPABILITIES } from "@parley/protocol/capabilities";
import type { TFunction } from "i18next";
import { useSyncExternalStore } from "react";
import { ApiError, getCsrfHeader } from "../../api/client";

export type UploadedFile = Attachment & { id: string; image: boolean };

export const limitsOf = (channel: ChannelType) => CAPABILITIES[channel]?.attachments ?? null;

/** The browser's idea of the type is enough to warn early; the server decides from the bytes. */
export const looksLikeImage = (f: { type: string }) =>
  (PREVIEW_IMAGE_TYPES as readonly string[]).includes(f.type);

export const megabytes = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10}`;

/** Why these files cannot go in one message on this channel (translated), or null. */
export function problemOf(
  t: TFunction,
  channel: ChannelType,
  files: { name: string; size: number; image: boolean }[],
): string | null {
  const p = attachmentsProblem(files, limitsOf(channel));
  return p ? problemText(t, p) : null;
}

export function problemText(t: TFunction, p: AttachmentProblem): string {
  switch (p.code) {
    case "not_supported":
      return t("convTools.attach.notSupported");
    case "blocked_type":
      return t("convTools.attach.blockedType", { name: p.name });
    case "too_large":
      return t("convTools.attach.tooLarge", { name: p.name, mb: megabytes(p.maxBytes) });
    case "total_too_large":
      return t("convTools.attach.totalTooLarge", { mb: megabytes(p.maxBytes) });
    case "too_many":
      return t("convTools.attach.tooMany", { count: p.max });
    case "one_file_only":
      return t("convTools.attach.oneFileOnly");
  }
}

/** Uploads a file's bytes for a conversation; the server answers with the stored file or why it refused. */
export async function uploadFile(conversationId: string, file: File): Promise<UploadedFile> {
  let res: Response;
  try {
    res = await fetch(`/api/conversations/${conversationId}/files?name=${encodeURIComponent(file.name)}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { ...getCsrfHeader(), "content-type": file.type || "application/octet-stream" },
      body: file,
    });
  } catch (err) {
    throw new ApiError(0, "network", err instanceof Error ? err.message : String(err));
  }
  const json = (await res.json().catch(() => null)) as
    | { file: UploadedFile; error?: undefined }
    | { error: { code: never; message: string; details?: unknown } }
    | null;
  if (!res.ok || !json || json.error)
    throw new ApiError(
      res.status,
      json?.error?.code ?? "internal",
      json?.error?.message ?? res.statusText,
      json?.error?.details,
    );
  return json.file;
}

/** The server's refusal of a file, in the agent's language when it says which rule. */
export function uploadErrorText(t: TFunction, err: unknown): string | null {
  const problem = (err as ApiError | undefined)?.details as { problem?: AttachmentProblem } | undefined;
  return problem?.problem ? problemText(t, problem.problem) : null;
}

export const isImage = (a: Attachment) => isPreviewImage(a.mimeType);
export const previewUrl = (a: Attachment) => (a.url.startsWith("/api/files/") ? `${a.url}?inline=1` : a.url);

/**
 * What the composer quotes, per conversation: the feed sets it from a message's menu, the composer shows and
 * clears it. A tiny store shared by siblings instead of threading callbacks through the pane.
 */
const quotes = new Map<string, Message>();
/** How many times a message was chosen to quote, per conversation: choosing the same one again counts. */
const picks = new Map<string, number>();
const listeners = new Set<() => void>();
export const quoteStore = {
  set(conversationId: string, m: Message | null) {
    if (m) {
      quotes.set(conversationId, m);
      picks.set(conversationId, (picks.get(conversationId) ?? 0) + 1);
    } else quotes.delete(conversationId);
    for (const l of listeners) l();
  },
  get: (conversationId: string) => quotes.get(conversationId) ?? null,
  picks: (conversationId: string) => picks.get(conversationId) ?? 0,
  subscribe(l: () => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};
export const useQuote = (conversationId: string) =>
  useSyncExternalStore(quoteStore.subscribe, () => quoteStore.get(conversationId));
/** Changes each time a message is chosen to quote in the conversation. */
export const useQuotePicks = (conversationId: string) =>
  useSyncExternalStore(quoteStore.subscribe, () => quoteStore.picks(conversationId));
