import { createRequire } from "node:module";
import type net from "node:net";

/**
 * The email tests' IMAP server on a machine without Dovecot: `hoodiecrow-imap` from npm (an IMAP4rev1
 * server written in JavaScript by the author of imapflow and nodemailer), started by the tests on loopback
 * and spoken to over TCP by Parley's real watcher. It keeps one mailbox tree per server, so every user gets a
 * server (a port) of its own.
 */

interface HoodiecrowConnection {
  send(response: unknown, description: string, parsed: unknown, data: unknown): void;
  server: { users: Record<string, { password: string }> };
  state: string;
}
type Handler = (connection: HoodiecrowConnection, parsed: any, data: unknown, done: () => void) => void;
interface HoodiecrowServer {
  server: net.Server;
  getCommandHandler(command: string): Handler | false;
  setCommandHandler(command: string, handler: Handler): void;
  listen(port: number, host: string, cb: () => void): void;
}

const require = createRequire(import.meta.url);
const hoodiecrow = require("hoodiecrow-imap") as (options: Record<string, unknown>) => HoodiecrowServer;

/**
 * A wrong password is answered as real servers do (RFC 5530: `NO [AUTHENTICATIONFAILED] Authentication
 * failed.`, Dovecot's and Gmail's words), not with hoodiecrow's own text.
 */
function authenticationFailedCode(server: HoodiecrowServer) {
  const login = server.getCommandHandler("LOGIN") as Handler;
  server.setCommandHandler("LOGIN", (connection, parsed, data, done) => {
    const [user, pass] = (parsed.attributes ?? []).map((a: { value?: unknown }) => String(a?.value ?? ""));
    const known = connection.server.users[user ?? ""];
    if (connection.state === "Not Authenticated" && user && (!known || known.password !== pass)) {
      connection.send(
        {
          tag: parsed.tag,
          command: "NO",
          attributes: [{ type: "TEXT", value: "[AUTHENTICATIONFAILED] Authentication failed." }],
        },
        "LOGIN FAILED",
        parsed,
        data,
      );
      return done();
    }
    login(connection, parsed, data, done);
  });
}

export interface NpmImapServer {
  port: number;
  close(): Promise<void>;
}

/** One user's IMAP server with an empty INBOX: LOGIN, IDLE, UIDPLUS, CONDSTORE, MOVE, … on a free port. */
export async function startNpmImap(user: string, password: string): Promise<NpmImapServer> {
  const server = hoodiecrow({
    plugins: [
      "ID",
      "IDLE",
      "ENABLE",
      "CONDSTORE",
      "UIDPLUS",
      "MOVE",
      "UNSELECT",
      "LITERALPLUS",
      authenticationFailedCode,
    ],
    users: { [user]: { password } },
    storage: { INBOX: { messages: [] }, "": {} },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  const sockets = new Set<net.Socket>();
  server.server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Watchers keep IDLE connections open: they are cut, as a server shutting down would.
        for (const s of sockets) s.destroy();
        server.server.close(() => resolve());
      }),
  };
}
