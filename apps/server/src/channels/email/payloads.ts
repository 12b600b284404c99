import { z } from "zod";

const Server = z.object({
  host: z.string().trim().min(1).max(255),
  port: z.coerce.number().int().min(1).max(65535),
  /** Implicit TLS (IMAP 993, SMTP 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().optional(),
  user: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
});

/** What the admin gives for an email connection: the mailbox (IMAP), the submission server (SMTP), the address. */
export const EmailCredentials = z.object({
  imap: Server,
  smtp: Server,
  address: z.email().max(320),
  displayName: z.string().trim().max(120).optional(),
});
export type EmailCredentials = z.infer<typeof EmailCredentials>;

export const EmailSettings = z.object({
  /** Subject of a mail Parley starts (no customer mail to answer yet). */
  defaultSubject: z.string().trim().min(1).max(200).optional(),
});
export type EmailSettings = z.infer<typeof EmailSettings>;

/** `secure` unless told: implicit TLS on the well-known TLS ports. */
export const isSecure = (s: { port: number; secure?: boolean | undefined }, tlsPort: number) =>
  s.secure ?? s.port === tlsPort;
