import { notifications } from "@mantine/notifications";
import type { AgentNotification } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { readAgain } from "../../api/patch";
import i18n from "../../i18n";
import { alertListsKey } from "../alerts/alerts-api";
import { notifyKeys, type SettingsResponse } from "./api";
import { addToBellList } from "./bell-list";

/** The title of a notification in the agent's language (the server keeps only the names it refers to). */
export function notificationTitle(n: AgentNotification): string {
  const key =
    n.kind === "delivery_failed" ? `notify.kinds.delivery_failed_${n.title}` : `notify.kinds.${n.kind}`;
  return i18n.t(key, { title: n.title, defaultValue: n.title });
}

let audio: AudioContext | null = null;
/** A short two-tone chime made on the spot (no sound file to ship or to fail loading). */
function chime() {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.15, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.3);
    }
  } catch {
    // No audio (autoplay policy before any click): the toast and the badge still show.
  }
}

/**
 * A notification addressed to this agent arrived on the socket (R401): it goes to the top of the bell's
 * list, counts as unread, and, unless silenced (do-not-disturb, quiet hours, pause), shows a toast with the
 * message text and plays the sound. Old ones replayed after a reconnect update the list quietly.
 */
export function onNotification(qc: QueryClient, n: AgentNotification) {
  // A new security alert: the alerts page (if open or cached) shows it without a reload.
  if (n.kind === "security_alert") void readAgain(qc, { queryKey: alertListsKey });
  addToBellList(qc, n);
  const fresh = Date.now() - new Date(n.createdAt).getTime() < 60_000;
  if (!n.alert || !fresh || lookingAt(n.conversationId)) return;
  showGrouped(n);
  const settings = qc.getQueryData<SettingsResponse>(notifyKeys.settings);
  if (settings?.settings.sound ?? true) chime();
}

/** The conversation open on screen in a visible tab: its news needs no toast (the feed and the bell have it). */
function lookingAt(conversationId: string | null): boolean {
  if (!conversationId || document.visibilityState !== "visible") return false;
  return location.pathname === `/inbox/${conversationId}`;
}

/** How many notifications each conversation's toast on screen stands for. */
const onScreen = new Map<string, number>();

/**
 * One toast per conversation: a second notification of the same conversation updates its toast (the count
 * and the latest text) instead of stacking another. Toasts sit at the bottom left, away from the composer's
 * Send button and from the header's controls.
 */
function showGrouped(n: AgentNotification) {
  const key = n.conversationId ? `notify-conv-${n.conversationId}` : `notify-${n.id}`;
  const count = (onScreen.get(key) ?? 0) + 1;
  onScreen.set(key, count);
  const toast = {
    id: key,
    title:
      count > 1 ? i18n.t("agentDay.toastMore", { title: notificationTitle(n), count }) : notificationTitle(n),
    message: n.body,
    color: n.kind === "delivery_failed" ? "red" : "blue",
    autoClose: 6000,
    position: "bottom-left" as const,
    onClose: () => onScreen.delete(key),
    "data-testid": "notification-toast",
    "data-count": count,
  };
  if (count > 1) notifications.update(toast);
  else notifications.show(toast);
}
