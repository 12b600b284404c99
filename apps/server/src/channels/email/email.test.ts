import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "../../testing/db";
import { eventually } from "../../testing/eventually";
import { type ImapServer, type SmtpSink, startImapServer, startSmtpSink } from "../../testing/fakes/email";
import { Client, newWorkspace, startTestServer, type TestServer, unique } from "../../testing/harness";

let t: TestServer;
let testDb: Awaited<ReturnType<typeof openTestDb>>;
let imap: ImapServer;
let smtp: SmtpSink;
const SMTP_USER = "parley-smtp";
const SMTP_PASSWORD = "smtp-secret";

// A real IMAP server of the tests' own: Dovecot when installed, else hoodiecrow-imap from npm (the global
// set-up prints which one runs).

beforeAll(async () => {
  imap = await startImapServer(
    Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`support${i}`, `imap-password-${i}`])),
  );
  smtp = await startSmtpSink({ [SMTP_USER]: SMTP_PASSWORD });
  testDb = await openTestDb();
  t = await startTestServer(testDb.db);
}, 120_000); // an IMAP server, an SMTP sink, a database and a server: slow on a busy machine
afterAll(async () => {
  await t?.close();
  await testDb?.close();
  await smtp?.close();
  await imap?.close();
});

interface Mailbox {
  user: string;
  password: string;
  address: string;
  deliver(raw: string): Promise<void>;
}

let mailboxes = 0;
/** A mailbox of its own (one of the users the IMAP server started with). */
function mailbox(): Mailbox {
  const i = mailboxes++;
  const user = `support${i}`;
  const password = `imap-password-${i}`;
  return {
    user,
    password,
    address: `${user}@shop.test`,
    deliver: (raw) => imap.deliver(user, password, raw),
  };
}

function credentials(box: Mailbox, overrides: Record<string, unknown> = {}) {
  return {
    imap: {
      host: imap.host,
      port: imap.portOf(box.user),
      secure: false,
      user: box.user,
      password: box.password,
    },
    smtp: { host: smtp.host, port: smtp.port, secure: false, user: SMTP_USER, password: SMTP_PASSWORD },
    address: box.address,
    displayName: "Shop Support",
    ...overrides,
  };
}

async function connect(owner: Client, box: Mailbox) {
  const r = await owner.post("/api/connections", {
    type: "email",
    name: unique("mail"),
    credentials: credentials(box),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.connection.id as string;
}

/** A raw RFC 5322 mail with CRLF line ends. */
function mail(headers: Record<string, string>, body: string) {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `${lines.join("\r\n")}\r\n\r\n${body.replace(/\r?\n/g, "\r\n")}`;
}

const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s, "utf8").toString("base64")}?=`;

const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeout = 10_000) =>
  eventually(fn, { what, timeout });

async function feed(owner: Client, convId: string) {
  const r = await owner.get(`/api/conversations/${convId}/messages`);
  return r.body.messages as any[];
}

/** The workspace's conversation (each test's workspace has one email connection and one customer). */
async function conversationOf(owner: Client) {
  return until("the conversation", async () => (await owner.get("/api/conversations")).body.conversations[0]);
}

async function waitForState(owner: Client, convId: string, id: string, state: string, timeoutMs = 10_000) {
  return until(
    `message ${id} ${state}`,
    async () => (await feed(owner, convId)).find((m) => m.id === id && m.delivery?.state === state),
    timeoutMs,
  );
}

describe("email channel (IMAP through Dovecot or hoodiecrow-imap, SMTP through smtp-server)", () => {
  it("refuses a connection whose IMAP login fails (422 with the server's words) and stores nothing", async () => {
    const { owner } = await newWorkspace(t);
    const box = mailbox();
    const r = await owner.post("/api/connections", {
      type: "email",
      name: "bad",
      credentials: credentials(box, {
        imap: {
          host: imap.host,
          port: imap.portOf(box.user),
          secure: false,
          user: box.user,
          password: "wrong",
        },
      }),
    });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(
      /IMAP server .* refused: .*(AUTHENTICATIONFAILED|Authentication failed)/i,
    );
    const smtpBad = await owner.post("/api/connections", {
      type: "email",
      name: "bad-smtp",
      credentials: credentials(box, {
        smtp: { host: smtp.host, port: smtp.port, secure: false, user: SMTP_USER, password: "nope" },
      }),
    });
    expect(smtpBad.status).toBe(422);
    expect(smtpBad.body.error.message).toMatch(/SMTP server .* refused: .*535/);
    const invalid = await owner.post("/api/connections", {
      type: "email",
      name: "x",
      credentials: { address: "no" },
    });
    expect(invalid.status).toBe(400);
    expect((await owner.get("/api/connections")).body.connections).toEqual([]);
  });

  it("receives mail live, replies threaded over SMTP, threads the answer, ignores auto-replies, fails bounced mail", async () => {
    const { owner } = await newWorkspace(t);
    const box = mailbox();
    await connect(owner, box);
    const socket = await owner.socket(t.wsUrl);
    const customer = `${unique("anna")}@customer.test`;

    // 1. An HTML-only mail with a non-ASCII subject and an attachment.
    const firstId = `${unique("m1")}@customer.test`;
    const pdf = Buffer.from("%PDF-1.4 счёт №42", "utf8");
    await box.deliver(
      mail(
        {
          From: `${b64("Анна Петрова")} <${customer}>`,
          To: box.address,
          Subject: b64("Заказ №42 — где доставка?"),
          "Message-ID": `<${firstId}>`,
          Date: new Date().toUTCString(),
          "MIME-Version": "1.0",
          "Content-Type": 'multipart/mixed; boundary="b1"',
        },
        [
          "--b1",
          "Content-Type: text/html; charset=utf-8",
          "Content-Transfer-Encoding: base64",
          "",
          Buffer.from(
            '<html><head><style>p{color:red}</style><script>alert("x")</script></head><body><p>Здравствуйте!</p><p>Где мой <b>заказ</b>? <img src="https://tracker.example/p.gif"></p></body></html>',
          ).toString("base64"),
          "--b1",
          'Content-Type: application/pdf; name="invoice.pdf"',
          'Content-Disposition: attachment; filename="invoice.pdf"',
          "Content-Transfer-Encoding: base64",
          "",
          pdf.toString("base64"),
          "--b1--",
          "",
        ].join("\n"),
      ),
    );
    const created = await socket.waitForEvent(
      "message.created",
      (e) => e.message.providerMessageId === firstId,
      10_000,
    );
    const conv = await conversationOf(owner);
    const first = (await feed(owner, conv.id)).find((m) => m.providerMessageId === firstId);
    expect(created.message.id).toBe(first.id);
    expect(first.direction).toBe("inbound");
    expect(first.text).toContain("Заказ №42 — где доставка?");
    expect(first.text).toContain("Здравствуйте!");
    expect(first.text).toContain("Где мой заказ?");
    expect(first.text).not.toMatch(/<|alert|color:red|tracker/);
    expect(first.attachments).toHaveLength(1);
    expect(first.attachments[0]).toMatchObject({
      name: "invoice.pdf",
      mimeType: "application/pdf",
      size: pdf.length,
    });
    const file = await fetch(`${t.url}${first.attachments[0].url}`, { headers: { cookie: owner.cookie! } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
    expect(JSON.stringify(conv)).toContain("Анна Петрова");

    // 2. The agent's reply goes out over SMTP, threaded.
    const sent = await owner.post(`/api/conversations/${conv.id}/messages`, {
      text: "Добрый день! Заказ уже в пути.",
    });
    expect(sent.status).toBe(201);
    const reply = await waitForState(owner, conv.id, sent.body.message.id, "sent");
    const ourId = reply.providerMessageId as string;
    expect(ourId).toBe(`parley.${sent.body.message.id}@shop.test`);
    const out = smtp.mails.find((m) => m.raw.includes(ourId))!;
    expect(out).toBeDefined();
    expect(out.auth).toBe(SMTP_USER);
    expect(out.to).toEqual([customer]);
    expect(out.from).toBe(box.address);
    const parsed = await PostalMime.parse(out.raw);
    expect(parsed.subject).toBe("Re: Заказ №42 — где доставка?");
    expect(parsed.messageId).toBe(`<${ourId}>`);
    expect(parsed.inReplyTo).toBe(`<${firstId}>`);
    expect(parsed.references).toBe(`<${firstId}>`);
    expect(parsed.text?.trim()).toBe("Добрый день! Заказ уже в пути.");
    expect(parsed.from).toMatchObject({ name: "Shop Support", address: box.address });

    // 3. An auto-reply to our mail is not the customer's message; the customer's real answer threads in.
    await box.deliver(
      mail(
        {
          From: customer,
          To: box.address,
          Subject: "Automatic reply: Re: Заказ",
          "Message-ID": `<${unique("auto")}@customer.test>`,
          "Auto-Submitted": "auto-replied",
          "In-Reply-To": `<${ourId}>`,
        },
        "I am out of office until Monday.",
      ),
    );
    await box.deliver(
      mail(
        {
          From: `${b64("Анна Петрова")} <${customer}>`,
          To: box.address,
          Subject: b64("Re: Заказ №42 — где доставка?"),
          "Message-ID": `<${unique("m2")}@customer.test>`,
          "In-Reply-To": `<${ourId}>`,
          References: `<${firstId}> <${ourId}>`,
          "Content-Type": "text/plain; charset=utf-8",
          "Content-Transfer-Encoding": "8bit",
        },
        "Спасибо, жду!\n\nOn Mon, 1 Jan 2024 at 10:00, Shop Support <support@shop.test> wrote:\n> Добрый день! Заказ уже в пути.\n",
      ),
    );
    const answer = await until("the customer's answer", async () =>
      (await feed(owner, conv.id)).find((m) => m.direction === "inbound" && m.text === "Спасибо, жду!"),
    );
    expect(answer.conversationId ?? conv.id).toBe(conv.id);
    const all = await feed(owner, conv.id);
    expect(all.filter((m) => m.kind === "message").map((m) => m.direction)).toEqual([
      "inbound",
      "outbound",
      "inbound",
    ]);
    expect(JSON.stringify(all)).not.toContain("out of office");
    expect((await owner.get("/api/conversations")).body.conversations).toHaveLength(1);

    // 4. The next reply references the whole thread.
    const second = await owner.post(`/api/conversations/${conv.id}/messages`, {
      text: "Курьер будет завтра.",
    });
    const secondSent = await waitForState(owner, conv.id, second.body.message.id, "sent");
    const out2 = await PostalMime.parse(
      smtp.mails.find((m) => m.raw.includes(secondSent.providerMessageId))!.raw,
    );
    expect(out2.subject).toBe("Re: Заказ №42 — где доставка?");
    expect(out2.references).toBe(
      `<${firstId}> <${ourId}> ${answer.providerMessageId ? `<${answer.providerMessageId}>` : ""}`.trim(),
    );

    // 5. A bounce (DSN) of our second mail fails it with the diagnostic.
    await box.deliver(
      mail(
        {
          From: "Mail Delivery System <MAILER-DAEMON@mx.shop.test>",
          To: box.address,
          Subject: "Undelivered Mail Returned to Sender",
          "Message-ID": `<${unique("dsn")}@mx.shop.test>`,
          "Auto-Submitted": "auto-replied",
          "MIME-Version": "1.0",
          "Content-Type": 'multipart/report; report-type=delivery-status; boundary="r1"',
        },
        [
          "--r1",
          "Content-Type: text/plain; charset=us-ascii",
          "",
          "This is the mail system. Your message could not be delivered.",
          "--r1",
          "Content-Type: message/delivery-status",
          "",
          "Reporting-MTA: dns; mx.shop.test",
          "",
          `Final-Recipient: rfc822; ${customer}`,
          "Action: failed",
          "Status: 5.1.1",
          "Diagnostic-Code: smtp; 550 5.1.1 <anna@customer.test>: Recipient address",
          "    rejected: User unknown",
          "--r1",
          "Content-Type: text/rfc822-headers",
          "",
          `From: Shop Support <${box.address}>`,
          `To: ${customer}`,
          `Message-ID: <${secondSent.providerMessageId}>`,
          "Subject: Re: order",
          "--r1--",
          "",
        ].join("\n"),
      ),
    );
    const failed = await waitForState(owner, conv.id, second.body.message.id, "failed");
    expect(failed.delivery.failureReason).toBe("provider_error");
    expect(failed.delivery.failureDetail).toBe(
      "550 5.1.1 <anna@customer.test>: Recipient address rejected: User unknown",
    );
    // The first reply is untouched; nothing of the bounce became a message.
    expect((await feed(owner, conv.id)).find((m) => m.id === sent.body.message.id).delivery.state).toBe(
      "sent",
    );
    expect((await feed(owner, conv.id)).filter((m) => m.direction === "inbound")).toHaveLength(2);

    // Every mail handled is flagged \Seen in the mailbox.
    const flags = await imap.flags(box.user, box.password);
    expect(flags.size).toBe(4);
    for (const f of flags.values()) expect(f.has("\\Seen")).toBe(true);
    socket.close();
  }, 30_000);

  it("maps SMTP 4xx to a retry and 5xx to a failure with the server's response", async () => {
    const { owner } = await newWorkspace(t);
    const box = mailbox();
    await connect(owner, box);
    const customer = `${unique("bob")}@customer.test`;
    await box.deliver(
      mail(
        { From: customer, To: box.address, Subject: "Hi", "Message-ID": `<${unique("h")}@customer.test>` },
        "Hello",
      ),
    );
    const conv = await conversationOf(owner);

    smtp.failNext(451, "4.3.0 Temporary lookup failure");
    const retried = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "first try fails" });
    const ok = await waitForState(owner, conv.id, retried.body.message.id, "sent");
    expect(smtp.mails.filter((m) => m.raw.includes(ok.providerMessageId))).toHaveLength(1);

    smtp.failNext(550, "5.7.1 Message rejected as spam");
    const refused = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "refused" });
    const failed = await waitForState(owner, conv.id, refused.body.message.id, "failed");
    expect(failed.delivery.failureReason).toBe("provider_error");
    expect(failed.delivery.failureDetail).toMatch(/550 5\.7\.1 Message rejected as spam/);
  }, 20_000);

  it("neither loses nor duplicates mail across a restart of the watcher", async () => {
    let { owner } = await newWorkspace(t);
    const box = mailbox();
    const connectionId = await connect(owner, box);
    const customer = `${unique("cy")}@customer.test`;
    const send = (n: number) =>
      box.deliver(
        mail(
          { From: customer, To: box.address, Subject: "Restart", "Message-ID": `<r${n}.${customer}>` },
          `mail ${n}`,
        ),
      );
    await send(1);
    await send(2);
    const texts = async () => {
      const [conv] = (await owner.get("/api/conversations")).body.conversations;
      if (!conv) return [];
      return (await feed(owner, conv.id))
        .filter((m) => m.kind === "message")
        .map((m) => m.text.replace(/^Restart\n\n/, ""));
    };
    await until("two mails", async () => (await texts()).length === 2);

    await t.close();
    await send(3); // while no watcher runs
    t = await startTestServer(testDb.db);
    owner = await new Client(t.url).signIn(owner.user!.email);
    await send(4);
    await until("four mails", async () => (await texts()).length >= 4);
    // The watcher has taken the box up to its fourth (and last) mail: whatever it imports, it has imported.
    await until("the watcher past the fourth mail", async () => {
      const [row] = await testDb.db.query<{ last_uid: string }>(
        "select last_uid::text from email_mailboxes where connection_id = $1",
        [connectionId],
      );
      return Number(row?.last_uid ?? 0) >= 4;
    });
    expect(await texts()).toEqual(["mail 1", "mail 2", "mail 3", "mail 4"]);
  }, 30_000);
});
