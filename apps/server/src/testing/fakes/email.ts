import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ImapFlow } from "imapflow";
import { SMTPServer } from "smtp-server";
import { freePort } from "../net";
import { type NpmImapServer, startNpmImap } from "./imap-npm";

const DOVECOT = "/usr/sbin/dovecot";

/**
 * Whether Debian's Dovecot is installed. The email channel's tests run on Dovecot when it is there (`.ci/run`
 * installs it: the production-grade server), else on `hoodiecrow-imap` from npm (see imap-npm.ts).
 */
export const dovecotInstalled = () => fs.existsSync(DOVECOT);

/** Which IMAP server the email tests start on this machine, in words for the global set-up's line. */
export const imapServerInUse = () =>
  dovecotInstalled()
    ? "Debian's Dovecot (/usr/sbin/dovecot)"
    : "hoodiecrow-imap from npm (Dovecot is not installed; .ci/run installs it)";

async function waitForPort(port: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, "127.0.0.1");
      sock.once("data", () => {
        sock.destroy();
        resolve(true);
      });
      sock.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`dovecot did not open port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A real IMAP server on loopback that the tests started, with the given users (user → password). */
export interface ImapServer {
  host: string;
  /** The port the user's mailbox is served on (Dovecot: one for all; the npm server: one per user). */
  portOf(user: string): number;
  /** Puts a raw RFC 5322 message into a user's INBOX with IMAP APPEND (as a mail delivery would). */
  deliver(user: string, password: string, raw: string | Buffer): Promise<void>;
  /** Flags of every message in the user's INBOX, by UID. */
  flags(user: string, password: string): Promise<Map<number, Set<string>>>;
  close(): Promise<void>;
}

/**
 * A real Dovecot IMAP server (Debian's dovecot-imapd) of our own: a temp directory with its configuration,
 * a passwd-file of the given users with plain passwords, maildirs, plain auth over loopback without TLS. Throws when
 * Dovecot is not installed (`apt-get install dovecot-imapd`).
 */
async function startDovecot(users: Record<string, string>): Promise<ImapServer> {
  if (!fs.existsSync(DOVECOT)) {
    throw new Error("Dovecot is not installed: run `apt-get install -y dovecot-imapd` (see .ci/run).");
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-dovecot-"));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const passwd = path.join(dir, "passwd");
  // Dovecot caches the passwd-file by its mtime (seconds): all users are written before it starts.
  fs.writeFileSync(
    passwd,
    Object.entries(users)
      .map(([u, p]) => `${u}:{PLAIN}${p}::::::\n`)
      .join(""),
  );
  const self = process.getuid?.() ?? 0;
  // Dovecot refuses to run its login processes as root: as root, use the package's unprivileged users.
  const internalUser = self === 0 ? "dovecot" : os.userInfo().username;
  const loginUser = self === 0 ? "dovenull" : os.userInfo().username;
  // Nor does it keep mail as root: as root, the mail belongs to the dovecot user.
  const uid = self === 0 ? Number(execFileSync("id", ["-u", "dovecot"]).toString().trim()) : self;
  const gid =
    self === 0 ? Number(execFileSync("id", ["-g", "dovecot"]).toString().trim()) : (process.getgid?.() ?? 0);
  for (const sub of ["mail", "home"]) {
    fs.mkdirSync(path.join(dir, sub));
    fs.chownSync(path.join(dir, sub), uid, gid);
  }
  const conf = path.join(dir, "dovecot.conf");
  fs.writeFileSync(
    conf,
    `# Parley test IMAP server
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = parley-test-${port}
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# No failure delay or anvil penalty for the tests' deliberate wrong passwords.
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
default_internal_user = ${internalUser}
default_login_user = ${loginUser}
first_valid_uid = ${uid}
first_valid_gid = ${gid}
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
`,
  );
  const proc: ChildProcess = spawn(DOVECOT, ["-F", "-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout?.on("data", (d) => {
    output += d;
  });
  proc.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  try {
    await waitForPort(port, 10_000);
  } catch (err) {
    proc.kill("SIGTERM");
    const log = fs.existsSync(`${dir}/dovecot.log`) ? fs.readFileSync(`${dir}/dovecot.log`, "utf8") : "";
    throw new Error(`${(err as Error).message}\n${output}\n${log}`);
  }

  return withClientSide(
    () => port,
    async () => {
      proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
      try {
        execFileSync("rm", ["-rf", dir]);
      } catch {}
    },
  );
}

/** hoodiecrow-imap from npm: one server per user (it keeps one mailbox tree per server). */
async function startNpmImapServers(users: Record<string, string>): Promise<ImapServer> {
  const servers = new Map<string, NpmImapServer>();
  try {
    for (const [u, p] of Object.entries(users)) servers.set(u, await startNpmImap(u, p));
  } catch (err) {
    await Promise.all([...servers.values()].map((s) => s.close()));
    throw err;
  }
  return withClientSide(
    (user) => {
      const s = servers.get(user);
      if (!s) throw new Error(`no IMAP user ${user}`);
      return s.port;
    },
    async () => {
      await Promise.all([...servers.values()].map((s) => s.close()));
    },
  );
}

/**
 * The IMAP server for the email tests: Dovecot when installed, else hoodiecrow-imap from npm. Either speaks
 * IMAP over TCP on loopback to Parley's watcher; mail is put in with IMAP APPEND in both.
 */
export function startImapServer(users: Record<string, string>): Promise<ImapServer> {
  return dovecotInstalled() ? startDovecot(users) : startNpmImapServers(users);
}

/** Delivery and flag reading through IMAP itself (imapflow), the same for every server. */
function withClientSide(portOf: (user: string) => number, close: () => Promise<void>): ImapServer {
  const client = (u: string, p: string) =>
    new ImapFlow({
      host: "127.0.0.1",
      port: portOf(u),
      secure: false,
      auth: { user: u, pass: p },
      logger: false,
    });

  return {
    host: "127.0.0.1",
    portOf,
    close,
    async deliver(u, p, raw) {
      const c = client(u, p);
      await c.connect();
      try {
        await c.append("INBOX", typeof raw === "string" ? Buffer.from(raw, "utf8") : raw);
      } finally {
        await c.logout().catch(() => {});
      }
    },
    async flags(u, p) {
      const c = client(u, p);
      await c.connect();
      const out = new Map<number, Set<string>>();
      try {
        await c.mailboxOpen("INBOX", { readOnly: true });
        for await (const m of c.fetch("1:*", { uid: true, flags: true })) {
          out.set(m.uid, m.flags ?? new Set());
        }
      } catch {
        // An empty mailbox has no "1:*".
      } finally {
        await c.logout().catch(() => {});
      }
      return out;
    },
  };
}

export interface RecordedMail {
  from: string;
  to: string[];
  raw: string;
  auth: string | null;
}

export interface SmtpSink {
  host: string;
  port: number;
  mails: RecordedMail[];
  /**
   * The reply to the next DATA commands: null accepts (250); otherwise an SMTP code and text, e.g.
   * [451, "4.3.0 Try again later"] or [550, "5.1.1 No such user"].
   */
  failNext(code: number, text: string, times?: number): void;
  close(): Promise<void>;
}

/** The outgoing SMTP peer: an smtp-server on loopback (AUTH PLAIN/LOGIN, no TLS) recording every mail. */
export async function startSmtpSink(users: Record<string, string>): Promise<SmtpSink> {
  const mails: RecordedMail[] = [];
  let failure: { code: number; text: string; times: number } | null = null;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username && users[auth.username] === auth.password) return cb(null, { user: auth.username });
      return cb(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (failure && failure.times > 0) {
          failure.times--;
          const err = Object.assign(new Error(failure.text), { responseCode: failure.code });
          if (failure.times === 0) failure = null;
          return cb(err);
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          auth: (session.user as string | undefined) ?? null,
        });
        cb(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    host: "127.0.0.1",
    port,
    mails,
    failNext(code, text, times = 1) {
      failure = { code, text, times };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
