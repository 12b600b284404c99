import type { ChannelType } from "@parley/protocol";
import {
  IconApi,
  IconBrandInstagram,
  IconBrandLine,
  IconBrandMessenger,
  IconBrandTelegram,
  IconBrandViber,
  IconBrandWechat,
  IconBrandWhatsapp,
  IconDeviceMobileMessage,
  IconMail,
  IconWorld,
} from "@tabler/icons-react";

const ICONS = {
  api: { Icon: IconApi, color: "#495057" },
  telegram: { Icon: IconBrandTelegram, color: "#229ED9" },
  telegram_user: { Icon: IconBrandTelegram, color: "#0088CC" },
  whatsapp: { Icon: IconBrandWhatsapp, color: "#25D366" },
  viber: { Icon: IconBrandViber, color: "#7360F2" },
  messenger: { Icon: IconBrandMessenger, color: "#0866FF" },
  instagram: { Icon: IconBrandInstagram, color: "#E1306C" },
  widget: { Icon: IconWorld, color: "#1971c2" },
  email: { Icon: IconMail, color: "#e67700" },
  line: { Icon: IconBrandLine, color: "#06C755" },
  wechat: { Icon: IconBrandWechat, color: "#07C160" },
  sms: { Icon: IconDeviceMobileMessage, color: "#2b8a3e" },
} satisfies Record<ChannelType, unknown>;

export function ChannelIcon({ type, size = 14 }: { type: ChannelType; size?: number }) {
  const { Icon, color } = ICONS[type];
  return <Icon size={size} color={color} stroke={1.8} aria-hidden />;
}
