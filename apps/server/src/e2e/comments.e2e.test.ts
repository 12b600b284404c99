import { describe, expect, it } from "vitest";
import { commentWebhook, mentionWebhook, startMetaFake } from "../testing/fakes/meta";
import { newWorkspace, unique } from "../testing/harness";
import { eventually, screenshot, signIn, socketOpen, useBrowser } from "./browser";

/**
 * Comments under a Facebook Page's post in a real browser (R451): a comment arrives as its own conversation
 * with the post above the thread; the agent answers it publicly, then privately, and the composer explains
 * why a second private reply cannot go. An Instagram caption mention arrives the same way, marked as a
 * mention, and the composer says a private reply to it is not possible.
 */
const { cleanups, newPage, serverOnFreshDb } = useBrowser();

describe("Comments in the web app", () => {
  it("shows a comment with its post and answers it publicly and privately; a caption mention only publicly", async () => {
    const fake = await startMetaFake();
    cleanups.push(() => fake.close());
    const t = await serverOnFreshDb({
      env: {
        GRAPH_API_BASE: fake.graphUrl,
        GRAPH_API_VERSION: "v21.0",
        INSTAGRAM_API_BASE: fake.instagramUrl,
      },
    });
    const { owner } = await newWorkspace(t, "Acme Comments");
    const pageId = "2039485761";
    const token = unique("page-token");
    const appSecret = unique("app-secret");
    fake.addAccount(token, { platform: "messenger", accountId: pageId, host: "graph" });
    const c = await owner.post("/api/connections", {
      type: "messenger",
      name: "Acme page",
      credentials: { pageId, pageAccessToken: token, appSecret },
    });
    expect(c.status).toBe(201);
    const url = `${t.url}/api/webhooks/messenger/${c.body.connection.id}`;
    const post = fake.comments.addPost({
      id: `${pageId}_778899`,
      platform: "messenger",
      accountId: pageId,
      text: "Our spring collection is here",
      permalink: "https://www.facebook.com/acme/posts/778899",
      picture: null,
    });

    const p = await newPage();
    await signIn(p, t.url, owner.user!.email);
    await p.goto(`${t.url}/inbox?view=all`);
    await socketOpen(p);

    const comment = fake.comments.addComment(
      post.id,
      { id: "4455667788", name: "Maria Petrenko" },
      "Is the green dress in size S?",
    );
    const r = await fake.webhook(
      url,
      commentWebhook.feed(pageId, commentWebhook.feedComment(comment, "add")),
      {
        appSecret,
      },
    );
    expect(r.status).toBe(200);
    const row = p.getByTestId("conversation-row").filter({ hasText: "Is the green dress in size S?" });
    await row.waitFor();
    await row.click();

    const pane = p.getByTestId("conversation-pane");
    await eventually(() => pane.getByTestId("comment-post-text").textContent()).toBe(
      "Our spring collection is here",
    );
    // The composer says what it will send: a public reply unless the agent chooses a private one.
    await eventually(() => pane.getByTestId("comment-reply-hint").textContent()).toMatch(/under the comment/);
    await pane.getByTestId("composer-input").fill("Yes, we have it in S!");
    await pane.getByTestId("composer-send").click();
    await eventually(() => comment.replies.map((x) => x.text).join("|")).toBe("Yes, we have it in S!");
    const publicBubble = pane.getByTestId("message").filter({ hasText: "Yes, we have it in S!" });
    await eventually(() => publicBubble.getByTestId("comment-marks").textContent()).toMatch(/Public reply/);

    await pane.getByTestId("comment-reply-mode").getByText("Private reply").click();
    await eventually(() => pane.getByTestId("comment-reply-hint").textContent()).toMatch(/inbox/);
    await pane.getByTestId("composer-input").fill("I sent you a discount code");
    await pane.getByTestId("composer-send").click();
    await eventually(() => comment.privateReplies).toBe(1);
    const privateBubble = pane.getByTestId("message").filter({ hasText: "I sent you a discount code" });
    await eventually(() => privateBubble.getByTestId("comment-marks").textContent()).toMatch(/Private reply/);
    // One private reply per comment: the composer explains why another cannot go.
    await eventually(() => pane.getByTestId("comment-reply-refused").textContent()).toMatch(
      /one per comment/,
    );
    expect(await pane.getByTestId("composer-input").isDisabled()).toBe(true);
    // A public reply still can.
    await pane.getByTestId("comment-reply-mode").getByText("Public reply").click();
    await eventually(() => pane.getByTestId("composer-input").isDisabled()).toBe(false);
    await screenshot(p, "comment-replies");

    // An Instagram account mentioned in someone's caption: a comment conversation marked as a mention.
    const igId = "17841400000000042";
    const igToken = unique("ig-token");
    fake.addAccount(igToken, { platform: "instagram", accountId: igId, host: "instagram" });
    const ig = await owner.post("/api/connections", {
      type: "instagram",
      name: "Acme Instagram",
      credentials: { igUserId: igId, instagramAccessToken: igToken, appSecret },
    });
    expect(ig.status).toBe(201);
    const media = fake.mentions.addMedia({ id: "5566", username: "olena.style" }, "Wearing @acme today");
    const m = await fake.webhook(
      `${t.url}/api/webhooks/instagram/${ig.body.connection.id}`,
      commentWebhook.instagram(igId, "mentions", mentionWebhook.caption(media)),
      { appSecret },
    );
    expect(m.status).toBe(200);
    const mentionRow = p.getByTestId("conversation-row").filter({ hasText: "Wearing @acme today" });
    await mentionRow.waitFor();
    await mentionRow.click();
    const bubble = pane.getByTestId("message").filter({ hasText: "Wearing @acme today" });
    await eventually(() => bubble.getByTestId("comment-mention").textContent()).toMatch(/caption/);
    await pane.getByTestId("comment-reply-mode").getByText("Private reply").click();
    await eventually(() => pane.getByTestId("comment-reply-refused").textContent()).toMatch(
      /not possible to a caption mention/,
    );
    expect(await pane.getByTestId("composer-input").isDisabled()).toBe(true);
    await pane.getByTestId("comment-reply-mode").getByText("Public reply").click();
    await pane.getByTestId("composer-input").fill("Looks great on you!");
    await pane.getByTestId("composer-send").click();
    await eventually(() => fake.mentions.replies.map((x) => x.message).join("|")).toBe("Looks great on you!");
  }, 120_000);
});
