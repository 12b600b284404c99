/**
 * npm run screenshots — pictures of the agent app's main screens for the README (docs/screenshots/*.png).
 *
 * Builds the web app when it is stale, starts a Parley server in this process on a throw-away embedded
 * database, seeds a demo workspace (an owner, agents, a team, conversations on several channels in English,
 * Russian and Ukrainian, replies with receipts, a note, tasks and reminders), then drives Debian's Chromium
 * (playwright-core) at 1440 px through the inbox with the navigation rail, a conversation, contacts, the settings
 * area, the tasks calendar, the Russian inbox (also at 1024 px) and calendar, the first-run checklist of a
 * new workspace, and at a phone's width (390 px) through the list, a conversation and the calendar.
 * Set CHROMIUM_PATH when Chromium is not at /usr/bin/chromium.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";
import { loadConfig } from "../apps/server/src/config";
import { hashPassword } from "../apps/server/src/modules/auth/sessions";
import { setupWorkspace } from "../apps/server/src/modules/auth/setup-workspace";
import { ingestInbound } from "../apps/server/src/modules/ingest/ingest-inbound";
import { createServer } from "../apps/server/src/server";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "docs", "screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PASSWORD = "demo password 2026";

async function main() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (or set CHROMIUM_PATH).`);
  const build = spawnSync(process.execPath, [path.join(ROOT, "apps/web/scripts/ensure-build.mjs")], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("building the web app failed");

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-screens-"));
  const config = loadConfig({
    NODE_ENV: "development",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    SECRET_KEY: "screenshots-secret-key-0123456789abcdef0123",
    LOG_LEVEL: "warn",
    // No worker: the demo channels have no real providers to send to or to watch.
    ROLES: "api,realtime",
  });
  const server = await createServer(config);
  await server.listen();
  const url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  (server.ctx.config as { publicUrl: string }).publicUrl = url;
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-screens-chromium-"));
  const browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
    ],
    viewport: { width: 1440, height: 900 },
    locale: "en-US",
  });
  try {
    const demo = await seed(server.ctx);
    fs.mkdirSync(OUT, { recursive: true });
    const page = await browser.newPage();
    await signIn(page, url, demo.ownerEmail);
    await page.getByTestId("view-all").click();
    await page.getByTestId("conversation-row").first().waitFor();
    await settle(page);
    await shot(page, "inbox");
    await page.locator(`[data-conversation-id="${demo.featured}"]`).click();
    await page.getByTestId("message").first().waitFor();
    await settle(page);
    await shot(page, "conversation");
    for (const [route, name] of [
      ["/contacts", "contacts"],
      ["/settings/channels", "channels"],
      ["/settings/profile", "settings-profile"],
      ["/settings/users", "settings-users"],
    ] as const) {
      await page.goto(url + route);
      await page.getByRole("heading").first().waitFor();
      await settle(page);
      await shot(page, name);
    }
    await page.goto(`${url}/tasks?view=month`);
    await page.getByTestId("calendar-item").first().waitFor();
    await settle(page);
    await shot(page, "tasks-calendar");
    // The Russian inbox, switched from the header (and kept on the user).
    await page.goto(`${url}/inbox/${demo.featured}?view=all`);
    await page.getByTestId("language-switch").click();
    await page.getByTestId("language-ru").click();
    await page.getByText("Все").first().waitFor();
    await settle(page);
    await shot(page, "inbox-ru");
    // The Russian inbox at the laptop's width: the rail's labels on one line, the status as a badge.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByTestId("status-current").waitFor();
    await settle(page);
    await shot(page, "inbox-ru-1024");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${url}/tasks?view=week`);
    await page.getByTestId("calendar-item").first().waitFor();
    await settle(page);
    await shot(page, "tasks-calendar-ru");
    await page.getByTestId("language-switch").click();
    await page.getByTestId("language-en").click();
    // The narrowest desktop the app is laid out for.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${url}/inbox/${demo.featured}?view=all`);
    await page.getByTestId("message").first().waitFor();
    await settle(page);
    await shot(page, "inbox-1024");
    // A phone: the list, then the conversation on its own screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${url}/inbox?view=all`);
    await page.getByTestId("conversation-row").first().waitFor();
    await settle(page);
    await shot(page, "mobile-list");
    await page.goto(`${url}/inbox/${demo.featured}?view=all`);
    await page.getByTestId("message").first().waitFor();
    await settle(page);
    await shot(page, "mobile-conversation");
    await page.goto(`${url}/tasks?view=week`);
    await page.getByTestId("calendar-item").first().waitFor();
    await settle(page);
    await shot(page, "mobile-calendar");
    // A new workspace's owner: the first-run checklist.
    await page.context().clearCookies();
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page, url, demo.newOwnerEmail);
    await page.getByTestId("first-run").waitFor();
    await settle(page);
    await shot(page, "first-run");
    console.log(`screenshots written to ${path.relative(ROOT, OUT)}/`);
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function signIn(page: Page, url: string, email: string) {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/inbox/);
}

/** Lets fonts, images and transitions finish. */
async function settle(page: Page) {
  await page.evaluate("document.fonts.ready");
  await page.waitForTimeout(600);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
  console.log(`  ${name}.png`);
}

type Ctx = Parameters<typeof ingestInbound>[0];

/** A demo workspace: people, a team, channels and conversations in three languages. */
async function seed(ctx: Ctx) {
  const ownerEmail = "olga@acme.example";
  const owner = await setupWorkspace(
    ctx,
    { workspaceName: "Acme Support", name: "Olga Petrenko", email: ownerEmail, password: PASSWORD },
    { onlyIfEmpty: true },
  );
  const ws = owner.workspace_id;
  const hash = await hashPassword(PASSWORD);
  const people: Record<string, string> = {};
  for (const [name, role] of [
    ["Ivan Sokolov", "agent"],
    ["Maria Kovalenko", "supervisor"],
    ["Daniel Brooks", "agent"],
  ] as const) {
    const [u] = await ctx.db.query<{ id: string }>(
      "insert into users (workspace_id, email, name, role, password_hash) values ($1, $2, $3, $4, $5) returning id",
      [ws, `${name.split(" ")[0]!.toLowerCase()}@acme.example`, name, role, hash],
    );
    people[name] = u!.id;
  }
  const [team] = await ctx.db.query<{ id: string }>(
    "insert into teams (workspace_id, name) values ($1, 'First line') returning id",
    [ws],
  );
  for (const id of [people["Ivan Sokolov"], people["Daniel Brooks"]])
    await ctx.db.query("insert into team_members (team_id, user_id) values ($1, $2)", [team!.id, id]);
  await ctx.db.query(
    "insert into invitations (workspace_id, email, role, token_hash, invited_by, expires_at) values ($1, 'new.agent@acme.example', 'agent', 'demo', $2, now() + interval '7 days')",
    [ws, owner.id],
  );

  const connections: Record<string, string> = {};
  for (const [type, name] of [
    ["telegram", "Telegram @acme_help_bot"],
    ["whatsapp", "WhatsApp +44 20 7946 0958"],
    ["viber", "Viber Acme"],
    ["email", "support@acme.example"],
    ["api", "Website chat (API)"],
  ] as const) {
    const [c] = await ctx.db.query<{ id: string }>(
      `insert into channel_connections (workspace_id, type, name, credentials_enc, settings, last_webhook_at)
       values ($1, $2, $3, $4, '{}', now()) returning id`,
      [ws, type, name, ctx.secrets.seal({ demo: true })],
    );
    connections[type] = c!.id;
  }

  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
  let n = 0;
  const say = async (
    type: string,
    contact: { id: string; name: string; nickname?: string; phone?: string; email?: string },
    lines: [who: "customer" | "agent", text: string, minutes: number][],
    read = true,
  ) => {
    let conversationId = "";
    for (const [who, text, minutes] of lines) {
      const providerMessageId = `demo-${++n}`;
      const [outcome] = await ingestInbound(ctx, { id: connections[type]!, workspaceId: ws }, [
        {
          kind: "message",
          providerMessageId,
          externalContactId: contact.id,
          contact: {
            name: contact.name,
            nickname: contact.nickname ?? null,
            phone: contact.phone ?? null,
            email: contact.email ?? null,
          },
          text,
          attachments: [],
          at: minutesAgo(minutes),
          echo: who === "agent",
        },
      ]);
      conversationId = (outcome as { conversationId: string }).conversationId;
      if (who === "agent")
        await ingestInbound(ctx, { id: connections[type]!, workspaceId: ws }, [
          {
            kind: "status",
            providerMessageId,
            state: read ? "read" : "delivered",
            at: minutesAgo(minutes - 1),
          },
        ]);
    }
    return conversationId;
  };

  const featured = await say(
    "whatsapp",
    { id: "447700900123", name: "Emma Wilson", phone: "+44 7700 900123" },
    [
      ["customer", "Hi! My order #4821 still shows “processing”. Can you check?", 52],
      ["agent", "Hello Emma, let me look at it right away.", 50],
      ["agent", "It left our warehouse this morning — the tracking link is on its way by email.", 46],
      ["customer", "Great, thank you! Will it arrive before Friday?", 3],
    ],
  );
  await say("telegram", { id: "tg-5511", name: "Алексей Смирнов", nickname: "alexey_smirnov" }, [
    ["customer", "Здравствуйте! Можно поменять адрес доставки?", 30],
    ["agent", "Да, конечно. Напишите новый адрес, пожалуйста.", 28],
    ["customer", "Москва, ул. Лесная, 12, кв. 5", 7],
  ]);
  await say(
    "viber",
    { id: "vb-77", name: "Оксана Мельник" },
    [
      ["customer", "Добрий день! Чи є ця модель у синьому кольорі?", 120],
      ["agent", "Так, є. Надіслати посилання?", 110],
    ],
    false,
  );
  await say("email", { id: "j.meyer@example.org", name: "Jonas Meyer", email: "j.meyer@example.org" }, [
    ["customer", "Invoice request for March — we need the company details updated.", 240],
  ]);
  await say("api", { id: "site-visitor-93", name: "Lucía Fernández" }, [
    ["customer", "Do you ship to Spain?", 15],
    ["agent", "We do! Delivery takes 3–5 working days.", 14],
    ["customer", "Perfect 👍", 13],
  ]);
  await say("telegram", { id: "tg-9012", name: "Dmytro Bondar" }, [
    ["customer", "The promo code SPRING10 says it has expired.", 65],
  ]);

  // Assignments and a note, as the people of the workspace would leave them.
  const assign = async (conversationId: string, userId: string) =>
    ctx.db.query("update conversations set assignee_id = $2, status = 'in_progress' where id = $1", [
      conversationId,
      userId,
    ]);
  await assign(featured, owner.id);
  // Replies recorded from the providers' echoes have no author: give them to the agents, as if typed in Parley.
  await ctx.db.query(
    "update messages set author_type = 'user', author_id = $2 where workspace_id = $1 and direction = 'outbound'",
    [ws, owner.id],
  );
  const [note] = await ctx.db.query<{ id: string }>(
    "select id from conversations where workspace_id = $1 and id <> $2 order by last_activity_at desc limit 1",
    [ws, featured],
  );
  if (note) await assign(note.id, people["Ivan Sokolov"]!);

  // Tasks, an event and reminders of the owner around today, most from conversations (the calendar).
  const [contactOf] = await ctx.db.query<{ contact_id: string }>(
    "select contact_id from conversations where id = $1",
    [featured],
  );
  const dayAt = (days: number, hour: number) => {
    const d = new Date();
    d.setDate(d.getDate() + days);
    d.setHours(hour, 0, 0, 0);
    return d;
  };
  for (const [kind, title, due, ends, remind, fromFeatured] of [
    ["task", "Confirm Emma's delivery date", dayAt(0, 11), null, null, true],
    ["reminder", "Check the tracking link was sent", null, null, dayAt(0, 16), true],
    ["event", "Call with the courier company", dayAt(1, 10), dayAt(1, 11), null, false],
    ["task", "Send the March invoice to Jonas", dayAt(2, 9), null, dayAt(1, 17), false],
    ["event", "Spring sale", dayAt(4, 9), dayAt(6, 18), null, false],
    ["task", "Ask Emma for a review", dayAt(5, 12), null, null, true],
  ] as const)
    await ctx.db.query(
      `insert into tasks (workspace_id, kind, title, conversation_id, contact_id, assignee_id, created_by,
         due_at, ends_at, remind_at, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, now(), now())`,
      [
        ws,
        kind,
        title,
        fromFeatured ? featured : null,
        fromFeatured ? contactOf!.contact_id : null,
        owner.id,
        due,
        ends,
        remind,
      ],
    );

  // A second, brand-new workspace: its owner sees the first-run checklist.
  const newOwnerEmail = "sam@newshop.example";
  await setupWorkspace(
    ctx,
    { workspaceName: "New Shop", name: "Sam Taylor", email: newOwnerEmail, password: PASSWORD },
    { onlyIfEmpty: false },
  );
  return { ownerEmail, featured, newOwnerEmail };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
