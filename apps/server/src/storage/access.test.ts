import { describe, expect, it } from "vitest";
import { addUser, type Client, newWorkspace } from "../testing/harness";
import { FILE_STORES, useFileStore } from "../testing/s3";
import { useTestServer } from "../testing/use-test-server";
import { signedFileUrl } from "./signed-urls";

/** Who may download a file: the same people who may read a conversation that carries it. */
describe.each(FILE_STORES)("with the %s file store", (store) => {
  const files = useFileStore(store);
  const t = useTestServer(() => ({ env: files.env() }));

  const SITE = "https://shop.example";
  const PNG = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  );

  async function json(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(t.url + path, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  /** A site visitor writes with an image: the customer's media, stored by Parley, in a new conversation. */
  async function visitorWritesWithFile(owner: Client) {
    const conn = await owner.post("/api/connections", {
      type: "widget",
      name: "Website",
      settings: { allowedOrigins: [SITE] },
    });
    expect(conn.status).toBe(201);
    const session = await json(
      "POST",
      "/api/widget/sessions",
      { connection: conn.body.connection.id, page: { origin: SITE, url: `${SITE}/` } },
      { origin: SITE },
    );
    expect(session.status, JSON.stringify(session.body)).toBe(200);
    const auth = { authorization: `Bearer ${session.body.token}` };
    const up = await json(
      "POST",
      "/api/widget/uploads",
      { name: "receipt.png", mimeType: "image/png", data: PNG.toString("base64") },
      auth,
    );
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const msg = await json(
      "POST",
      "/api/widget/messages",
      { clientId: `c-${Date.now()}`, text: "my receipt", fileIds: [up.body.fileId] },
      auth,
    );
    expect(msg.status, JSON.stringify(msg.body)).toBe(200);
    return {
      conversationId: msg.body.conversationId as string,
      customerFile: `/api/files/${up.body.fileId}`,
    };
  }

  async function upload(client: Client, conversationId: string, name: string) {
    const res = await fetch(`${t.url}/api/conversations/${conversationId}/files?name=${name}`, {
      method: "POST",
      headers: { cookie: client.cookie!, "x-csrf-token": client.csrf!, "content-type": "image/png" },
      body: PNG,
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { file: { url: string } }).file.url;
  }

  const status = async (client: Client, url: string) =>
    (await fetch(t.url + url, { headers: { cookie: client.cookie! } })).status;

  describe("file access", () => {
    it("serves a conversation's files only to agents who may read the conversation", async () => {
      const { owner } = await newWorkspace(t);
      const agent = await addUser(t, owner, "agent");
      const { conversationId, customerFile } = await visitorWritesWithFile(owner);
      // The owner takes the conversation and answers with a file; another file is uploaded but not sent yet.
      expect(
        (await owner.post(`/api/conversations/${conversationId}/assign`, { assigneeId: owner.user!.id }))
          .status,
      ).toBe(200);
      const sentFile = await upload(owner, conversationId, "answer.png");
      const sent = await owner.post(`/api/conversations/${conversationId}/messages`, {
        attachments: [{ name: "answer.png", mimeType: "image/png", size: PNG.length, url: sentFile }],
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      const unsentFile = await upload(owner, conversationId, "draft.png");

      // The agent may not see the conversation: its files look missing.
      expect((await agent.client.get(`/api/conversations/${conversationId}`)).status).toBe(404);
      for (const url of [customerFile, sentFile, unsentFile]) {
        expect(await status(agent.client, url), `agent ${url}`).toBe(404);
        expect(await status(owner, url), `owner ${url}`).toBe(200);
      }

      // Made an operator of the conversation, the agent sees it and its files.
      expect(
        (await owner.post(`/api/conversations/${conversationId}/operators`, { userId: agent.id })).status,
      ).toBe(200);
      expect((await agent.client.get(`/api/conversations/${conversationId}`)).status).toBe(200);
      for (const url of [customerFile, sentFile, unsentFile])
        expect(await status(agent.client, url), `operator ${url}`).toBe(200);

      // Providers keep fetching media through signed links, without a session.
      const signed = signedFileUrl(t.server.ctx.secrets, t.url, sentFile, t.server.ctx.clock.now());
      expect((await fetch(signed)).status).toBe(200);
    });

    it("lets the whole workspace see avatars, and an uploader their own file linked to nothing", async () => {
      const { owner } = await newWorkspace(t);
      const agent = await addUser(t, owner, "agent");
      const avatar = await fetch(`${t.url}/api/me/avatar`, {
        method: "PUT",
        headers: { cookie: owner.cookie!, "x-csrf-token": owner.csrf!, "content-type": "image/png" },
        body: PNG,
      });
      expect(avatar.status).toBe(200);
      const { user } = (await avatar.json()) as { user: { avatarUrl: string } };
      expect(await status(agent.client, user.avatarUrl)).toBe(200);
    });
  });
});
