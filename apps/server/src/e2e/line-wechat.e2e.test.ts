import { describe, expect, it } from "vitest";
import { startLineFake } from "../testing/fakes/line";
import { startWechatFake } from "../testing/fakes/wechat";
import { newWorkspace } from "../testing/harness";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/**
 * LINE and WeChat in a real browser: an admin connects each from the Channels page with the fields its form
 * shows, gets the webhook URL once, and the provider's first message reaches the inbox.
 */
const { cleanups, newPage, serverOnFreshDb } = useBrowser();

describe("connecting LINE and WeChat in the web app", () => {
  it("connects a LINE and a WeChat account through their forms, and their customers' messages arrive", async () => {
    const line = await startLineFake();
    const wechat = await startWechatFake();
    cleanups.push(
      () => line.close(),
      () => wechat.close(),
    );
    const t = await serverOnFreshDb({
      env: { LINE_API_BASE: line.url, LINE_DATA_API_BASE: line.dataUrl, WECHAT_API_BASE: wechat.url },
    });
    const { owner } = await newWorkspace(t, "Acme Asia");
    const LINE_TOKEN = `line-e2e-${"t".repeat(30)}`;
    const LINE_SECRET = "0123456789abcdef0123456789abcdef";
    line.addChannel(LINE_TOKEN, LINE_SECRET);
    const APP_ID = "wx0123456789abcdef";
    const APP_SECRET = "0123456789abcdef0123456789ABCDEF";
    const TOKEN = "parleyE2eToken";
    wechat.addApp({ appId: APP_ID, secret: APP_SECRET, token: TOKEN });

    const p = await newPage();
    await signIn(p, t.url, owner.user!.email);
    await p.goto(`${t.url}/settings/channels`);
    await p.getByTestId("channels-empty").waitFor();

    const connect = async (type: string, name: string, fields: Record<string, string>) => {
      await p.getByTestId("connect-channel").click();
      await p.getByTestId(`connect-type-${type}`).click();
      await p.getByTestId("field-name").fill(name);
      for (const [k, v] of Object.entries(fields)) await p.getByTestId(`field-${k}`).fill(v);
      await p.getByTestId("connect-submit").click();
      await p.getByTestId("reveal").waitFor();
      const url = (await p.getByTestId("reveal-webhookUrl").textContent())!.trim();
      await p.getByTestId("reveal-done").click();
      return url;
    };

    // LINE: a wrong token is refused with LINE's words on the form; the right one sets the webhook at LINE.
    await p.getByTestId("connect-channel").click();
    await p.getByTestId("connect-type-line").click();
    await p.getByTestId("field-name").fill("LINE shop");
    await p.getByTestId("field-channelSecret").fill(LINE_SECRET);
    await p.getByTestId("field-channelAccessToken").fill(`wrong-${"x".repeat(30)}`);
    await p.getByTestId("connect-submit").click();
    await eventually(() => p.getByTestId("connect-error").textContent()).toMatch(
      /Check the channel access token/,
    );
    await p.keyboard.press("Escape");
    const lineUrl = await connect("line", "LINE shop", {
      channelSecret: LINE_SECRET,
      channelAccessToken: LINE_TOKEN,
    });
    expect(lineUrl).toMatch(new RegExp(`^${t.url}/api/webhooks/line/[0-9a-f-]{36}$`));
    expect(line.channel(LINE_TOKEN)!.webhookUrl).toBe(lineUrl);

    // WeChat: the admin pastes the revealed URL and the Token into WeChat, which checks them with echostr.
    const wechatUrl = await connect("wechat", "WeChat service account", {
      appId: APP_ID,
      appSecret: APP_SECRET,
      token: TOKEN,
    });
    expect(wechatUrl).toMatch(new RegExp(`^${t.url}/api/webhooks/wechat/[0-9a-f-]{36}$`));
    const handshake = await wechat.verifyUrl(wechatUrl, APP_ID);
    expect(handshake).toMatchObject({ status: 200, body: handshake.echostr });
    await eventually(() => p.getByTestId("connection").count()).toBe(2);
    await screenshot(p, "line-wechat-channels");

    // The first customer of each writes; both conversations appear in the inbox.
    expect(
      (
        await line.push(LINE_TOKEN, [
          line.message(LINE_TOKEN, "Ue2e0001", { type: "text", text: "LINEから: 在庫はありますか?" }),
        ])
      ).status,
    ).toBe(200);
    const w = await wechat.push(wechatUrl, APP_ID, {
      FromUserName: "oE2eWechatUser0001",
      MsgType: "text",
      Content: "微信：还有货吗？",
      MsgId: wechat.nextMsgId(),
    });
    expect(w).toMatchObject({ status: 200, text: "success" });
    await p.goto(`${t.url}/inbox?view=all`);
    await p.getByTestId("conversation-row").filter({ hasText: "LINEから: 在庫はありますか?" }).waitFor();
    await p.getByTestId("conversation-row").filter({ hasText: "微信：还有货吗？" }).waitFor();
  }, 90_000);
});
