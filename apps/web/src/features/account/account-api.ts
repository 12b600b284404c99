import type { User } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { ApiError, getCsrfHeader, patch } from "../../api/client";
import { keys, type Session } from "../../api/queries";
import { LANGUAGES, type Language, setLanguage } from "../../i18n";

/** Puts the user the server answered into the session (the header, the profile page and pickers read it). */
export function setSessionUser(qc: QueryClient, user: User) {
  qc.setQueryData<Session | null>(keys.session, (s) => (s ? { ...s, user } : s));
  qc.setQueryData<User[]>(keys.users, (list) => list?.map((u) => (u.id === user.id ? user : u)));
}

export const isLanguage = (l: string): l is Language => LANGUAGES.includes(l as Language);

/** Switches the app's language and keeps it on the user, so every device signs in with it. */
export async function saveLanguage(qc: QueryClient, lang: Language) {
  setLanguage(lang);
  const { user } = await patch<{ user: User }>("/api/me", { locale: lang });
  setSessionUser(qc, user);
}

/** Uploads an avatar as the raw image (the server checks that it really is one). */
export async function uploadAvatar(file: File): Promise<User> {
  let res: Response;
  try {
    res = await fetch("/api/me/avatar", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "content-type": file.type || "application/octet-stream", ...getCsrfHeader() },
      body: file,
    });
  } catch (err) {
    throw new ApiError(0, "network", err instanceof Error ? err.message : String(err));
  }
  const json = (await res.json().catch(() => null)) as {
    user?: User;
    error?: { code: ApiError["code"]; message: string };
  } | null;
  if (!res.ok || !json?.user)
    throw new ApiError(res.status, json?.error?.code ?? "internal", json?.error?.message ?? res.statusText);
  return json.user;
}
