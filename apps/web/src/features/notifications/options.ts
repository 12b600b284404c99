import { NotificationEvent, NotificationMeans } from "@parley/protocol";

export const EVENTS = NotificationEvent.options;
export const MEANS = NotificationMeans.options;
export const ROLES = ["owner", "admin", "supervisor", "agent"] as const;
