// Dialbook's service worker: makes the app shell load instantly and offline, and wakes the
// app for pushes and background sync. scripts/build-pwa prepends
//   const VERSION = "<hash over every precached file>";
//   const PRECACHE = ["/", "/index.html", "/dialbook-<hash>.js", ...];
// so every release is a byte-different sw.js, which is what makes browsers install it.
//
// It must not: cache /api/* or /health (live data; the wasm app keeps its own offline copy
// of leads in IndexedDB and syncs it itself), or activate a new version under a running
// page (old JS would then meet new assets).

const CACHE_PREFIX = "dialbook-shell-";
const CACHE = CACHE_PREFIX + VERSION;
const PRECACHED = new Set(PRECACHE);
// Content-hashed build outputs (dialbook-1a2b3c4d.js, ..._bg.wasm, style-....css): a name
// never changes its content, so a copy cached by an older version is still good.
const HASHED = /-[0-9a-f]{8}(_bg)?\.(js|wasm|css)$/;

// The app's database, opened and closed as this worker starts. When the app is opened
// after Chromium was closed, Chromium starts this worker with the navigation (see the
// static routes below), ~250 ms before the page's boot.js asks for the same database on a
// slow phone. Opening IndexedDB's store on disk after a browser start takes ~150 ms in
// the browser (traced: setting up the origin's storage, then opening its LevelDB), which
// boot.js would otherwise wait for; opened here first, it is ready when the page asks.
// Reads nothing; never creates the database (that is the app's, with its object stores).
function warmDatabase() {
  try {
    const open = indexedDB.open("dialbook");
    open.onupgradeneeded = () => open.transaction.abort();
    open.onsuccess = () => open.result.close();
    open.onerror = open.onblocked = () => {};
  } catch {
    // No IndexedDB here (a private window): the page says so itself.
  }
}
warmDatabase();

self.addEventListener("install", (event) => {
  // No skipWaiting(): the new version waits until the page shows "New version ready —
  // Reload" and the user taps it (see the "message" handler).
  event.waitUntil(precache());
  addRoutes(event);
});

// Static routes (Chromium 123+; "Service Worker Static Routing API"): the app's start
// page and every precached file come straight from this version's cache, without
// waiting for this worker to start. Otherwise a cold start (a phone that opens the app
// after hours) waits for a worker thread and this script before the first byte of the
// page. (Chromium 156 still starts the worker alongside, on its own thread.)
// The routes belong to this version, as its cache does; a file missing from the cache
// goes to the network. Other navigations (/due, /leads/42) still reach the fetch handler
// below, which answers them with the shell.
function addRoutes(event) {
  if (typeof event.addRoutes !== "function") return;
  const fromCache = { cacheName: CACHE };
  const routes = [
    { condition: { urlPattern: "/", requestMode: "navigate" }, source: fromCache },
    ...PRECACHE.filter((url) => url !== "/").map((url) => ({ condition: { urlPattern: url }, source: fromCache })),
  ];
  // A browser that refuses a route still has the fetch handler: nothing breaks.
  event.waitUntil(event.addRoutes(routes).catch((e) => console.warn("static routes not added:", e)));
}

async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    PRECACHE.map(async (url) => {
      // A release that changed only the CSS must not download the wasm again over 3G.
      const old = HASHED.test(url) ? await caches.match(url) : undefined;
      if (old) return cache.put(url, old);
      // "reload" skips the HTTP cache, so the shell stored here is this release's shell.
      const response = await fetch(url, { cache: "reload" });
      // One failed file fails the install: a half-cached shell would break offline starts.
      if (!response.ok) throw new Error(`precache ${url}: HTTP ${response.status}`);
      await cache.put(url, response);
    }),
  );
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // Only our own shell caches: anything else under this origin is not ours to drop.
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE).map((n) => caches.delete(n)),
      );
      // Take over pages opened before the first install, so they work offline from now on.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  // Sent when the user taps "Reload"; the page reloads itself on "controllerchange".
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/api" || url.pathname.startsWith("/api/") || url.pathname === "/health") return;

  if (request.mode === "navigate") {
    // Every page of the app (/, /due, /leads/42) is the same index.html; the wasm router
    // picks the screen. A navigation to a file (/icons/icon-512.png) is not a page.
    const last = url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
    if (!last.includes(".") || url.pathname === "/index.html") event.respondWith(appShell(request));
    return;
  }
  if (PRECACHED.has(url.pathname)) event.respondWith(cacheFirst(request, url.pathname));
  // Anything else goes to the network untouched.
});

// The cached shell first, even online: the app starts instantly and the sync brings the
// data up to date. A new release arrives through a new sw.js, not through this response.
async function appShell(request) {
  const cached = await caches.match("/index.html", { cacheName: CACHE });
  return cached || fetch(request);
}

async function cacheFirst(request, path) {
  const cached = await caches.match(path, { cacheName: CACHE });
  return cached || fetch(request);
}

self.addEventListener("push", (event) => {
  // Chrome requires every push to show a notification, so a payload that is not the JSON
  // we expect still shows something rather than nothing.
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data.text() };
  }
  const options = {
    body: data.body || "",
    icon: "/icons/icon-192.png",
    badge: "/icons/badge-96.png",
    data: { lead_id: data.lead_id },
  };
  if (data.tag) {
    // Same tag replaces the earlier reminder for that lead instead of stacking, but
    // still buzzes.
    options.tag = data.tag;
    options.renotify = true;
  }
  if (data.lead_id) {
    options.actions = [
      { action: "call", title: "Call now" },
      { action: "snooze", title: "Snooze 15 min" },
    ];
  }
  event.waitUntil(self.registration.showNotification(data.title || "Dialbook", options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const leadId = event.notification.data && event.notification.data.lead_id;
  const action = event.action || "open";
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const client =
        windows.find((c) => c.focused) || windows.find((c) => c.visibilityState === "visible") || windows[0];
      if (client) {
        // The running app owns navigation and the lead data: let it open the lead (and
        // dial, or snooze) itself instead of reloading the page.
        await client.focus();
        client.postMessage({ type: "open-lead", lead_id: leadId, action });
        return;
      }
      // No app open: start it on the lead; the action rides along for the app to act on.
      let target = "/";
      if (leadId) {
        target = `/leads/${encodeURIComponent(leadId)}`;
        if (action !== "open") target += `?action=${encodeURIComponent(action)}`;
      }
      await self.clients.openWindow(target);
    })(),
  );
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "dialbook-sync") return;
  // The sync itself (IndexedDB outbox, Automerge documents, the push/pull protocol) lives
  // in the wasm app, so the worker can only wake an open page. With no page open there is
  // nothing to run it: the edits stay safe in IndexedDB and go out when the app next opens.
  event.waitUntil(
    self.clients
      .matchAll({ type: "window" })
      .then((clients) => clients.forEach((c) => c.postMessage({ type: "background-sync" }))),
  );
});
