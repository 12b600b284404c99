import { apiChannel } from "./api/adapter";
import { emailChannel } from "./email/adapter";
import { lineChannel } from "./line/adapter";
import { instagramChannel, messengerChannel } from "./meta";
import { ChannelRegistry } from "./registry";
import { smsChannel } from "./sms/adapter";
import { telegramChannel } from "./telegram/adapter";
import { viberChannel } from "./viber/adapter";
import { wechatChannel } from "./wechat/adapter";
import { whatsappChannel } from "./whatsapp/adapter";
import { widgetChannel } from "./widget/adapter";

/** The channels this server offers, in the order the Channels page lists them: one line per channel. */
export function builtInChannels(): ChannelRegistry {
  return new ChannelRegistry()
    .register(whatsappChannel)
    .register(telegramChannel)
    .register(messengerChannel)
    .register(instagramChannel)
    .register(viberChannel)
    .register(lineChannel)
    .register(wechatChannel)
    .register(emailChannel)
    .register(smsChannel)
    .register(apiChannel)
    .register(widgetChannel);
}
