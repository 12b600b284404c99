import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace } from "../testing/harness";
import { startReceiver } from "../testing/outbound-receiver";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/**
 * The conversation screen's tools in a real browser against a real server: quote-reply, a canned reply through
 * the `/` shortcut, an image attached (preview in the feed, delivered to the channel), a refused file with its
 * reason, blocking with the composer's warning and unblocking, a task created from the conversation and a
 * reminder toast. Once in English and once in Russian.
 */
const { cleanups, newPage, serverOnFreshDb } = useBrowser();

// A 1×1 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

const TEXTS = {
  en: {
    quote: "Quote in reply",
    blockedType: "files of this type cannot be sent",
    blocked: "This contact is blocked",
    tasks: "My tasks",
    reminder: "Reminder",
    note: "Note",
  },
  ru: {
    quote: "Цитировать в ответе",
    blockedType: "файлы такого типа отправлять нельзя",
    blocked: "Контакт заблокирован",
    tasks: "Мои задачи",
    reminder: "Напоминание",
    note: "Заметка",
  },
} as const;

describe("conversation tools", () => {
  for (const lang of ["en", "ru"] as const) {
    it(`quotes, inserts a canned reply with /, attaches an image, blocks and unblocks, creates a task (${lang})`, async () => {
      const words = TEXTS[lang];
      const t = await serverOnFreshDb();
      const { owner } = await newWorkspace(t, "Tools Shop");
      let secret = "";
      const receiver = await startReceiver(() => secret);
      cleanups.push(() => receiver.close());
      const conn = await apiConnection(t, owner, receiver.url);
      secret = conn.secret;
      expect(
        (
          await owner.post("/api/canned-replies", {
            shortcut: "thanks",
            title: "Thanks",
            text: "Thank you for waiting!",
          })
        ).status,
      ).toBe(201);
      const r = await conn.post(inbound("cust-1", "Where is my order?", "ext-in-1"));
      const conversationId = r.body.results[0].conversationId as string;

      const page = await newPage();
      await signIn(page, t.url, owner.user!.email);
      await page.goto(`${t.url}/inbox/${conversationId}?view=all`);
      if (lang !== "en") {
        await page.getByTestId("language-switch").click();
        await page.getByTestId(`language-${lang}`).click();
      }
      const feed = page.getByTestId("feed");
      const customer = feed.locator('[data-testid="message"][data-direction="inbound"]').first();
      await customer.waitFor();

      // Quote the customer's message.
      await customer.getByTestId("message-menu").click();
      await page.getByRole("menuitem", { name: words.quote }).click();
      await eventually(() => page.getByTestId("composer-quote").textContent()).toContain(
        "Where is my order?",
      );
      // The menu closes and the focus is in the composer, to write the reply; not given back to the "⋯".
      await eventually(() => page.getByRole("menu").count()).toBe(0);
      await eventually(() =>
        page.evaluate('document.activeElement?.getAttribute("data-testid") ?? null'),
      ).toBe("composer-input");
      // Quoting the same message again with its quick button, from elsewhere, brings the focus back too.
      await page.evaluate("document.activeElement?.blur()");
      await customer.getByTestId("message-quote-quick").click();
      await eventually(() =>
        page.evaluate('document.activeElement?.getAttribute("data-testid") ?? null'),
      ).toBe("composer-input");

      // `/` at the start lists canned replies; Enter inserts the highlighted one, Enter again sends it.
      const input = page.getByTestId("composer-input");
      await input.fill("/tha");
      await page.getByTestId("canned-slash").getByTestId("canned-item").first().waitFor();
      await input.press("Enter");
      await eventually(() => input.inputValue()).toBe("Thank you for waiting!");
      await input.press("Enter");
      const reply = feed.locator('[data-testid="message"][data-direction="outbound"]').last();
      await eventually(() => reply.getByTestId("message-text").textContent()).toBe("Thank you for waiting!");
      await eventually(() => reply.getByTestId("message-quote").textContent()).toContain(
        "Where is my order?",
      );
      await eventually(() => receiver.requests.length).toBe(1);
      expect(receiver.requests[0]!.body).toMatchObject({
        text: "Thank you for waiting!",
        replyTo: "ext-in-1",
      });
      await eventually(() => page.getByTestId("composer-quote").count()).toBe(0);

      // The reply becomes a canned reply of its own, usable at once with its shortcut.
      await reply.getByTestId("message-menu").click();
      await page.getByTestId("message-save-canned").click();
      await page.getByTestId("canned-shortcut").fill("waiting");
      await page.getByTestId("canned-save").click();
      await eventually(async () =>
        (await owner.get("/api/canned-replies")).body.cannedReplies.map(
          (c: { shortcut: string; text: string }) => `${c.shortcut}: ${c.text}`,
        ),
      ).toContain("waiting: Thank you for waiting!");
      await input.fill("/wait");
      await page.getByTestId("canned-slash").getByTestId("canned-item").first().waitFor();
      await input.press("Enter");
      await eventually(() => input.inputValue()).toBe("Thank you for waiting!");
      await input.fill("");

      // Take in progress from the conversation's menu.
      await page.getByTestId("conversation-menu").click();
      await page.getByTestId("menu-in-progress").click();
      await eventually(
        async () => (await owner.get(`/api/conversations/${conversationId}`)).body.conversation.status,
      ).toBe("in_progress");

      // A program is refused before upload, with the reason.
      const fileInput = page.getByTestId("composer").locator('input[type="file"]').first();
      await fileInput.setInputFiles({
        name: "setup.exe",
        mimeType: "application/octet-stream",
        buffer: Buffer.from("MZ"),
      });
      await eventually(() => page.getByTestId("attach-problem").textContent()).toContain(words.blockedType);

      // An image: uploaded, previewed in the feed once sent, and delivered to the channel as Parley's file.
      await fileInput.setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: PNG });
      await page.locator('[data-testid="attachment-chip"][data-ready]').waitFor();
      await page.getByTestId("composer-send").click();
      const preview = feed.getByTestId("image-preview").last();
      await preview.waitFor();
      await eventually(() =>
        preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).toBe(1);
      await eventually(() => receiver.requests.length).toBe(2);
      const sentFile = receiver.requests[1]!.body.attachments[0];
      expect(sentFile).toMatchObject({ name: "photo.png", mimeType: "image/png", size: PNG.length });
      // The API channel hands integrators Parley's own file path; they fetch it with their access.
      expect(sentFile.url).toMatch(/^\/api\/files\/[0-9a-f-]{36}$/);
      const fetched = Buffer.from(
        await (await fetch(`${t.url}${sentFile.url}`, { headers: { cookie: owner.cookie! } })).arrayBuffer(),
      );
      expect(fetched.equals(PNG)).toBe(true);
      await screenshot(page, `conversation-tools-${lang}-sent`);

      // A note: chosen by the composer's switch (a radio pressed by its label), kept from the channel.
      const mode = page.getByTestId("composer-mode");
      await mode.getByText(words.note, { exact: true }).click();
      expect(await mode.locator('input[value="note"]').isChecked()).toBe(true);
      await input.fill("Checked the order: it left yesterday");
      await page.getByTestId("composer-send").click();
      const note = feed.locator('[data-testid="message"][data-kind="note"]').last();
      await eventually(() => note.getByTestId("message-text").textContent()).toBe(
        "Checked the order: it left yesterday",
      );
      expect(receiver.requests.length).toBe(2);
      // Back to replying, by keyboard: the arrow moves the choice between the two radios.
      await mode.locator('input[value="note"]').focus();
      await page.keyboard.press("ArrowLeft");
      expect(await mode.locator('input[value="reply"]').isChecked()).toBe(true);

      // Block: the composer warns and offers to unblock; unblock brings the composer back.
      await page.getByTestId("conversation-menu").click();
      await page.getByTestId("menu-block").click();
      await page.getByTestId("block-confirm").click();
      await eventually(() => page.getByTestId("blocked-notice").textContent()).toContain(words.blocked);
      expect(await input.isDisabled()).toBe(true);
      expect(
        (
          await owner.get(
            `/api/contacts/${(await owner.get(`/api/conversations/${conversationId}`)).body.conversation.contact.id}`,
          )
        ).body.contact.blocked,
      ).toBe(true);
      await page.getByTestId("unblock").click();
      await eventually(() => page.getByTestId("blocked-notice").count()).toBe(0);
      expect(await input.isDisabled()).toBe(false);

      // A task from the conversation, then in "My tasks".
      await page.getByTestId("panel-toggle").click();
      await page.getByTestId("panel-tab-tasks").click();
      await page.getByTestId("task-title-input").fill("Call the customer back");
      await page.getByTestId("task-create").click();
      await eventually(() =>
        page.getByTestId("side-panel").getByTestId("task-title").allTextContents(),
      ).toEqual(["Call the customer back"]);
      const tasks = (await owner.get(`/api/tasks?conversationId=${conversationId}`)).body.tasks;
      expect(tasks).toHaveLength(1);

      // A reminder due in a moment shows a toast.
      const due = new Date(Date.now() + 1500).toISOString();
      expect(
        (await owner.post("/api/tasks", { kind: "reminder", title: "Ping the courier", dueAt: due })).status,
      ).toBe(201);
      await eventually(() => page.getByText("Ping the courier").count()).toBeGreaterThan(0);
      await eventually(() => page.getByText(words.reminder, { exact: true }).count()).toBeGreaterThan(0);

      // The toast stays until closed.
      await page.getByTestId("reminder-toast").getByRole("button").click();
      await eventually(() => page.getByTestId("reminder-toast").count()).toBe(0);
      await page.getByTestId("user-menu").click();
      await page.getByTestId("menu-tasks").click();
      await page.waitForURL(/\/tasks$/);
      await eventually(() => page.getByTestId("tasks-page").textContent()).toContain(words.tasks);
      await eventually(() =>
        page.getByTestId("tasks-page").getByTestId("task-title").allTextContents(),
      ).toContain("Call the customer back");
      // A long journey through one page on a shared 2-core machine: more than the default 30 s when busy.
    }, 120_000);
  }
});
