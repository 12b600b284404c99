import type { User } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { client, data, upload } from "../../api/client";
import { keys, type Session } from "../../api/queries";
import type { Answer } from "../../api/types";
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
  const { user } = await data(client.PATCH("/api/me", { body: { locale: lang } }));
  setSessionUser(qc, user);
}

/** Uploads an avatar as the raw image (the server checks that it really is one). */
export async function uploadAvatar(file: File): Promise<User> {
  const { user } = await upload<Answer<"/api/me/avatar", "put">>("PUT", "/api/me/avatar", file);
  return user;
}
