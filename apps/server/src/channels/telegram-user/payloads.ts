import { z } from "zod";

/** What a personal Telegram connection keeps, sealed: the app's API id and hash, the number, the session. */
export interface TelegramUserCredentials {
  apiId: number;
  apiHash: string;
  phone: string;
  /** The library's session string (authorization key and data centre). */
  session: string;
  /** The account's Telegram user id. */
  userId: string;
}

export const TelegramUserSettings = z.object({});
export type TelegramUserSettings = z.infer<typeof TelegramUserSettings>;

/** What the admin types to start signing in (the connect dialog, `POST /api/telegram-user/logins`). */
export const StartLogin = z.object({
  name: z.string().trim().min(1).max(120),
  apiId: z.coerce
    .number({ error: "The api_id is the number my.telegram.org → API development tools shows." })
    .int("The api_id is a whole number.")
    .positive("The api_id is a positive number."),
  apiHash: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{32}$/i, "The api_hash is 32 letters and digits (0-9, a-f) from my.telegram.org.")
    .transform((s) => s.toLowerCase()),
  phone: z
    .string()
    .trim()
    .transform((s) => s.replace(/[\s()-]/g, ""))
    .pipe(
      z.string().regex(/^\+\d{7,15}$/, "Give the phone number in international form: + and 7 to 15 digits."),
    ),
  /** Sign in again for a connection whose session ended (its credentials are replaced). */
  connectionId: z.uuid().optional(),
});
export type StartLogin = z.infer<typeof StartLogin>;
