/* Parley's service worker: shows Web Push notifications (R401) when no Parley tab is in front. */
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: "Parley", body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((tabs) => {
      // A visible tab already shows the toast and plays the sound: no system notification on top of it.
      if (tabs.some((t) => t.visibilityState === "visible")) return undefined;
      return self.registration.showNotification(data.title || "Parley", {
        body: data.body || "",
        tag: data.id || undefined,
        data: { url: data.url || "/inbox" },
      });
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || "/inbox", self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((tabs) => {
      const tab = tabs.find((t) => new URL(t.url).origin === url.origin);
      if (tab) return tab.focus().then((t) => (t && "navigate" in t ? t.navigate(url.href) : undefined));
      return self.clients.openWindow(url.href);
    }),
  );
});
