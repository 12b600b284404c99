import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { type MetaFake, metaWebhook, startMetaFake } from "../../testing/fakes/meta";
import { type Client, newWorkspace, SocketClient, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

let fake: MetaFake;
const HOUR = 3600_000;

beforeAll(async () => {
  fake = await startMetaFake();
});
afterAll(async () => {
  await fake.close();
});

/** The server's clock: moved forward to make a retry due or a profile a day old, never slept for. */
const clock = new MovableClock();

const t = useTestServer(() => ({
  clock,
  env: { GRAPH_API_BASE: fake.graphUrl, GRAPH_API_VERSION: "v21.0", INSTAGRAM_API_BASE: fake.instagramUrl },
}));

let ids = 0;
const digits = () => `${Date.now()}${++ids}`.slice(-15);
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

async function messenger() {
  const { owner } = await newWorkspace(t);
  const pageId = digits();
  const token = unique("page-token");
  const appSecret = unique("app-secret");
  fake.addAccount(token, { platform: "messenger", accountId: pageId, host: "graph" });
  const r = await owner.post("/api/connections", {
    type: "messenger",
    name: unique("fb"),
    credentials: { pageId, pageAccessToken: token, appSecret },
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const url = `${t.url}/api/webhooks/messenger/${r.body.connection.id}`;
  const psid = digits();
  const say = (text: string) =>
    fake.webhook(
      url,
      metaWebhook.page(pageId, [
        {
          sender: { id: psid },
          recipient: { id: pageId },
          timestamp: clock.now().getTime(),
          message: { mid: unique("m_in"), text },
        },
      ]),
      { appSecret },
    );
  return { owner, psid, say, token };
}

const conversationOf = async (owner: Client) => (await owner.get("/api/conversations")).body.conversations[0];

const contactWhen = (owner: Client, pred: (c: any) => boolean) =>
  eventually(async () => {
    const conv = await conversationOf(owner);
    if (!conv || !pred(conv.contact)) throw new Error(`contact stayed ${JSON.stringify(conv?.contact)}`);
    return conv.contact;
  });

/** The profile look-up jobs of an identity (external id), oldest first. */
const profileJobs = (externalId: string) =>
  t.db.query<{ status: string; attempts: number; last_error: string | null }>(
    `select j.status, j.attempts, j.last_error from jobs j
     join contact_identities i on i.id = (j.payload->>'identityId')::uuid
     where j.type = 'contact.profile' and i.external_id = $1 order by j.id`,
    [externalId],
  );

const jobWhen = (externalId: string, pred: (jobs: any[]) => boolean) =>
  eventually(async () => {
    const jobs = await profileJobs(externalId);
    if (!pred(jobs)) throw new Error(`profile jobs: ${JSON.stringify(jobs)}`);
    return jobs;
  });

describe("Contact profiles", () => {
  it("names a new Messenger sender from the User Profile API, with a stored picture, live on the socket", async () => {
    const { owner, psid, say, token } = await messenger();
    fake.setProfile(psid, {
      first_name: "Olena",
      last_name: "Kovalenko",
      profile_pic: fake.cdn(`${unique("pic")}.png`, PNG, "image/png"),
    });
    const socket = await SocketClient.open(`${t.wsUrl}/api/realtime`, owner.cookie!);
    try {
      const r = await say("Hi, where is my parcel?");
      expect(r.body.results[0]).toMatchObject({ kind: "message", status: "created" });
      const event = await socket.waitForEvent(
        "conversation.updated",
        (e) => e.conversation.contact.name === "Olena Kovalenko",
      );
      expect(event.conversation.contact.avatarUrl).toMatch(/^\/api\/files\/[0-9a-f-]{36}$/);
    } finally {
      socket.close();
    }
    const [lookup] = fake.profileLookups(psid);
    expect(lookup!.authorization).toBe(`Bearer ${token}`);
    expect(lookup!.query.fields!.split(",")).toEqual(
      expect.arrayContaining(["first_name", "last_name", "profile_pic"]),
    );
    const contact = await contactWhen(owner, (c) => c.name === "Olena Kovalenko");
    const pic = await fetch(`${t.url}${contact.avatarUrl}`, { headers: { cookie: owner.cookie! } });
    expect(Buffer.from(await pic.arrayBuffer())).toEqual(PNG);
  });

  it("gives an Instagram sender its name and username (Instagram Login: graph.instagram.com)", async () => {
    const { owner } = await newWorkspace(t);
    const igUserId = digits();
    const token = unique("ig-token");
    const appSecret = unique("ig-secret");
    fake.addAccount(token, { platform: "instagram", accountId: igUserId, host: "instagram" });
    const r = await owner.post("/api/connections", {
      type: "instagram",
      name: unique("ig"),
      credentials: { igUserId, instagramAccessToken: token, appSecret },
    });
    expect(r.status).toBe(201);
    const igsid = digits();
    fake.setProfile(igsid, { name: "Taras Shevchenko", username: "taras.sh" });
    await fake.webhook(
      `${t.url}/api/webhooks/instagram/${r.body.connection.id}`,
      metaWebhook.instagram(igUserId, [
        {
          sender: { id: igsid },
          recipient: { id: igUserId },
          timestamp: clock.now().getTime(),
          message: { mid: unique("aWdf"), text: "Привіт" },
        },
      ]),
      { appSecret },
    );
    const contact = await contactWhen(owner, (c) => c.name !== null);
    expect(contact).toMatchObject({ name: "Taras Shevchenko", nickname: "taras.sh", avatarUrl: null });
    const [lookup] = fake.profileLookups(igsid);
    expect([lookup!.host, lookup!.path, lookup!.query.fields]).toEqual([
      "instagram",
      `/v21.0/${igsid}`,
      "name,username,profile_pic",
    ]);
  });

  it("keeps the message when the look-up fails and names the contact when a retry succeeds", async () => {
    const { owner, psid, say } = await messenger();
    fake.setProfile(psid, { first_name: "Mykola", last_name: "Lysenko" });
    fake.injectProfile({
      status: 500,
      error: { message: "An unexpected error has occurred. Please retry your request later.", code: 2 },
    });
    const r = await say("Are you open on Sunday?");
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ kind: "message", status: "created" });
    // The first attempt failed and the job waits for its retry; the message is there, the contact unnamed.
    const [failed] = await jobWhen(psid, (jobs) => jobs[0]?.status === "pending" && jobs[0].attempts === 1);
    expect(failed!.last_error).toMatch(/Messenger error 2: An unexpected error/);
    const conv = await conversationOf(owner);
    expect(conv.contact.name).toBeNull();
    const msgs = (await owner.get(`/api/conversations/${conv.id}/messages`)).body.messages;
    expect(msgs.map((m: any) => m.text)).toContain("Are you open on Sunday?");

    clock.advance(2 * 60_000); // the retry's backoff has passed
    await contactWhen(owner, (c) => c.name === "Mykola Lysenko");
    expect(fake.profileLookups(psid)).toHaveLength(2);
    expect((await profileJobs(psid)).map((j) => j.status)).toEqual(["done"]);
  });

  it("looks a sender up at most once a day, refreshes a day-old profile and never overwrites a person's edit", async () => {
    const { owner, psid, say } = await messenger();
    fake.setProfile(psid, { first_name: "Ivan", last_name: "Franko" });
    await say("one");
    await contactWhen(owner, (c) => c.name === "Ivan Franko");

    // Later the same day: no second look-up is asked for (the ingest decided it in its transaction).
    clock.advance(6 * HOUR);
    expect((await say("two")).body.results[0].status).toBe("created");
    expect(await profileJobs(psid)).toHaveLength(1);
    expect(fake.profileLookups(psid)).toHaveLength(1);

    // A day after the look-up, the next message refreshes it.
    fake.setProfile(psid, { first_name: "Ivan", last_name: "Franko-Kovalenko" });
    clock.advance(19 * HOUR);
    await say("three");
    await contactWhen(owner, (c) => c.name === "Ivan Franko-Kovalenko");
    expect(fake.profileLookups(psid)).toHaveLength(2);

    // An agent renames the contact: the next day's look-up leaves the name alone.
    const conv = await conversationOf(owner);
    const edit = await owner.patch(`/api/contacts/${conv.contact.id}`, { name: "Ivan (wholesale)" });
    expect(edit.status).toBe(200);
    fake.setProfile(psid, { first_name: "Ivan", last_name: "F." });
    clock.advance(25 * HOUR);
    await say("four");
    await jobWhen(psid, (jobs) => jobs.length === 3 && jobs[2].status === "done");
    expect(fake.profileLookups(psid)).toHaveLength(3);
    expect((await conversationOf(owner)).contact.name).toBe("Ivan (wholesale)");
  });

  it("a refused look-up (no such user) is not retried and keeps the message", async () => {
    const { owner, psid, say } = await messenger();
    const r = await say("hello");
    expect(r.body.results[0].status).toBe("created");
    const [job] = await jobWhen(psid, (jobs) => jobs[0]?.status === "dead");
    expect(job!.attempts).toBe(1);
    expect(job!.last_error).toMatch(/100\/33/);
    expect((await conversationOf(owner)).contact.name).toBeNull();
  });
});
