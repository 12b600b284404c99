import type { Conversation } from "@parley/protocol";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "../../lib/errors";
import { looksLikeImage, problemOf, type UploadedFile, uploadErrorText, uploadFile } from "./tools";

export interface PendingFile {
  key: string;
  name: string;
  size: number;
  image: boolean;
  preview: string | null;
  uploaded: UploadedFile | null;
  error: string | null;
}

/**
 * The files being attached to the next message: checked against the channel's limits before uploading (the
 * reason is shown), uploaded at once, and refused by the server with the same reasons if the browser was wrong.
 */
export function useAttachments(conversation: Conversation) {
  const { t } = useTranslation();
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  // Local previews are object URLs: released when the composer goes.
  const previews = useRef<string[]>([]);
  useEffect(
    () => () => {
      for (const url of previews.current) URL.revokeObjectURL(url);
    },
    [],
  );

  const remember = (url: string) => {
    previews.current.push(url);
    return url;
  };
  const add = (picked: File[]) => {
    if (!picked.length) return;
    const candidate = [
      ...files.map((f) => ({ name: f.name, size: f.size, image: f.image })),
      ...picked.map((f) => ({ name: f.name, size: f.size, image: looksLikeImage(f) })),
    ];
    const why = problemOf(t, conversation.connection.type, candidate);
    setProblem(why);
    if (why) return;
    const added: PendingFile[] = picked.map((f) => ({
      key: `${f.name}-${f.size}-${Math.random().toString(36).slice(2)}`,
      name: f.name,
      size: f.size,
      image: looksLikeImage(f),
      preview: looksLikeImage(f) ? remember(URL.createObjectURL(f)) : null,
      uploaded: null,
      error: null,
    }));
    setFiles((cur) => [...cur, ...added]);
    added.forEach((p, i) => {
      uploadFile(conversation.id, picked[i]!).then(
        (uploaded) =>
          setFiles((cur) =>
            cur.map((f) => (f.key === p.key ? { ...f, uploaded, image: uploaded.image } : f)),
          ),
        (err) => {
          const text = uploadErrorText(t, err) ?? errorText(t, err);
          setFiles((cur) => cur.map((f) => (f.key === p.key ? { ...f, error: text } : f)));
        },
      );
    });
  };
  const remove = (key: string) => {
    setProblem(null);
    setFiles((cur) => cur.filter((f) => f.key !== key));
  };
  const clear = () => {
    setProblem(null);
    setFiles([]);
  };
  return {
    files,
    problem,
    add,
    remove,
    clear,
    uploading: files.some((f) => !f.uploaded && !f.error),
    failed: files.some((f) => f.error),
    ready: files.filter((f) => f.uploaded).map((f) => f.uploaded!),
  };
}
