import { WIDGET_CAPABILITIES, type WidgetSettings } from "@parley/protocol";

/** What the widget frame may know of its connection's settings. */
export const publicSettings = (s: WidgetSettings) => ({
  greeting: s.greeting,
  color: s.color,
  position: s.position,
  language: s.language,
  preChat: s.preChat,
  readReceipts: s.readReceipts,
  maxFileBytes: s.maxFileBytes,
  textMaxChars: WIDGET_CAPABILITIES.textMaxChars,
});
