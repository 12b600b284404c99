import { NotificationEvent, NotificationMeans } from "@parley/protocol";

export const EVENTS = NotificationEvent.options;
export const MEANS = NotificationMeans.options;
/** The translation key of a means' name (SMS has its own namespace). */
export const meansKey = (m: NotificationMeans) =>
  m === "sms" ? ("smsNotify.column" as const) : (`notify.settings.means.${m}` as const);
export const ROLES = ["owner", "admin", "supervisor", "agent"] as const;
