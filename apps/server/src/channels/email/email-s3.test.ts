import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import { type ImapServer, type SmtpSink, startImapServer, startSmtpSink } from "../../testing/fakes/email";
import { uploadFile } from "../../testing/files";
import { newWorkspace, unique } from "../../testing/harness";
import { useFileStore } from "../../testing/s3";
import { useTestServer } from "../../testing/use-test-server";

/**
 * A reply's attachments are read from the file store by the worker that sends the mail: with
 * FILES_STORAGE=s3, from the bucket (s3rver), the server's own disk holding nothing. The customer's mailbox is
 * the IMAP server email.test.ts uses (Dovecot when installed, else hoodiecrow-imap from npm).
 */

const SMTP = { user: "parley-smtp", password: "smtp-secret" };
const BOX = { user: "support-s3", password: "imap-password-s3" };
let imap: ImapServer;
let smtp: SmtpSink;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-email-s3-"));

beforeAll(async () => {
  imap = await startImapServer({ [BOX.user]: BOX.password });
  smtp = await startSmtpSink({ [SMTP.user]: SMTP.password });
}, 30_000);
afterAll(async () => {
  await smtp?.close();
  await imap?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const files = useFileStore("s3");
const t = useTestServer(() => ({ env: { ...files.env(), DATA_DIR: dataDir } }));

describe("email attachments from the S3 file store", () => {
  it("the sending worker reads an uploaded file from the bucket into the mail", async () => {
    const { owner } = await newWorkspace(t);
    const address = `${BOX.user}@shop.test`;
    const created = await owner.post("/api/connections", {
      type: "email",
      name: unique("mail"),
      credentials: {
        imap: {
          host: imap.host,
          port: imap.portOf(BOX.user),
          secure: false,
          user: BOX.user,
          password: BOX.password,
        },
        smtp: { host: smtp.host, port: smtp.port, secure: false, user: SMTP.user, password: SMTP.password },
        address,
        displayName: "Shop Support",
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const customer = `${unique("anna")}@customer.test`;
    await imap.deliver(
      BOX.user,
      BOX.password,
      [
        `From: Anna <${customer}>`,
        `To: ${address}`,
        "Subject: Invoice please",
        `Message-ID: <${unique("m")}@customer.test>`,
        `Date: ${new Date().toUTCString()}`,
        "",
        "Could you send the invoice?",
      ].join("\r\n"),
    );
    const conversation = await eventually(
      async () => (await owner.get("/api/conversations")).body.conversations[0] as { id: string } | undefined,
      { what: "the customer's conversation", timeout: 15_000 },
    );

    const bytes = Buffer.from(`%PDF-1.4 ${"invoice line\n".repeat(20_000)}`);
    const file = await uploadFile(t.url, owner, conversation.id, "invoice.pdf", bytes, "application/pdf");
    const before = smtp.mails.length;
    const sent = await owner.post(`/api/conversations/${conversation.id}/messages`, {
      text: "Here it is.",
      attachments: [file],
    });
    expect(sent.status).toBe(201);
    const raw = await eventually(() => smtp.mails.slice(before).find((m) => m.to.includes(customer))?.raw, {
      what: "the reply mail",
      timeout: 15_000,
    });
    const parsed = await PostalMime.parse(raw);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: "invoice.pdf", mimeType: "application/pdf" });
    expect(Buffer.from(parsed.attachments[0]!.content as ArrayBuffer).equals(bytes)).toBe(true);
    // The bytes came from the bucket: nothing was written under the server's data directory.
    expect(fs.existsSync(path.join(dataDir, "files"))).toBe(false);
    expect(await t.server.ctx.blobs.stat(`${owner.workspaceId}/${file.id}`)).toEqual({ size: bytes.length });
  }, 60_000);
});
