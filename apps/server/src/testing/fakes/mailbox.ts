import type net from "node:net";
import { SMTPServer } from "smtp-server";

export interface Mail {
  to: string[];
  raw: string;
  /** The text with quoted-printable soft line breaks joined (links are whole again). */
  text: string;
}

/**
 * A mail server on loopback that can go down and come back on the same port (an SMTP outage), recording
 * every mail it accepts. No authentication, no TLS.
 */
export class Mailbox {
  readonly mails: Mail[] = [];
  port = 0;
  private server: SMTPServer | null = null;

  async start(): Promise<this> {
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ["STARTTLS", "AUTH"],
      authOptional: true,
      logger: false,
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          const to = session.envelope.rcptTo.map((r) => r.address);
          this.mails.push({ to, raw, text: raw.replace(/=\r?\n/g, "") });
          cb(null);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.server.address() as net.AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops answering: connections to the port are refused until `start` again. */
  async stop() {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The mails sent to an address. */
  to(address: string) {
    return this.mails.filter((m) => m.to.includes(address.toLowerCase()));
  }

  /** The environment that points a server's SMTP at this mailbox. */
  env(): Record<string, string> {
    return {
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(this.port),
      SMTP_SECURE: "false",
      SMTP_FROM: "Parley <parley@example.com>",
    };
  }
}

/** The first link to `path` (e.g. "/reset-password/") in a mail. */
export function linkIn(mail: Mail, path: string): string {
  const m = mail.text.match(new RegExp(`https?://[^\\s]+${path}[A-Za-z0-9_-]+`));
  if (!m) throw new Error(`no ${path} link in the mail:\n${mail.text}`);
  return m[0];
}
