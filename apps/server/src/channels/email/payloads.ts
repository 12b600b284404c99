import { z } from "zod";
import { field, group } from "../form-fields";

/** A mail server; the form suggests its well-known TLS port. */
const server = (kind: "imap" | "smtp", tlsPort: number) =>
  z
    .object({
      host: z.string().trim().min(1).max(255).meta(field("host")),
      port: z.coerce
        .number()
        .int()
        .min(1)
        .max(65535)
        .meta(field("port", { default: tlsPort })),
      /** Implicit TLS (IMAP 993, SMTP 465); otherwise STARTTLS when the server offers it. */
      secure: z
        .boolean()
        .optional()
        .meta(field("secure", { default: true })),
      user: z.string().min(1).max(320).meta(field("user")),
      password: z
        .string()
        .min(1)
        .max(1024)
        .meta(field("password", { secret: true })),
    })
    .meta(group(kind));

/** What the admin gives for an email connection: the mailbox (IMAP), the submission server (SMTP), the address. */
export const EmailCredentials = z.object({
  address: z.email().max(320).meta(field("address")),
  displayName: z.string().trim().max(120).optional().meta(field("displayName")),
  imap: server("imap", 993),
  smtp: server("smtp", 465),
});
export type EmailCredentials = z.infer<typeof EmailCredentials>;

export const EmailSettings = z.object({
  /** Subject of a mail Parley starts (no customer mail to answer yet). */
  defaultSubject: z.string().trim().min(1).max(200).optional().meta(field("defaultSubject")),
});
export type EmailSettings = z.infer<typeof EmailSettings>;

/** `secure` unless told: implicit TLS on the well-known TLS ports. */
export const isSecure = (s: { port: number; secure?: boolean | undefined }, tlsPort: number) =>
  s.secure ?? s.port === tlsPort;
