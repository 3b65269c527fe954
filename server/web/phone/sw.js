// Portvakt phone key's service worker: keeps the app itself (pages, modules, key core,
// texts) on the phone so a door opens without network. Never caches the API: rights come
// only from a live sync. A new release changes VERSION and replaces the cache.
const VERSION = 'portvakt-phone-1';
const SHELL = ['/phone/', '/phone/index.html', '/phone/app.mjs', '/phone/key.mjs', '/phone/store.mjs',
  '/phone/transport.mjs', '/phone/gatt.mjs', '/phone/phone.css', '/phone/manifest.webmanifest',
  '/phone/i18n/sv.json', '/phone/i18n/en.json', '/phone/wasm/pv-phone.mjs', '/phone/wasm/pv-phone.wasm',
  '/favicon.svg'];

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(VERSION).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The app shell: network first (a fresh release wins), the cached copy when offline.
self.addEventListener('fetch', (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== 'GET' || url.origin !== self.location.origin || !SHELL.includes(url.pathname)) return;
  ev.respondWith(fetch(ev.request).then((r) => {
    if (r.ok) { const copy = r.clone(); caches.open(VERSION).then((c) => c.put(ev.request, copy)); }
    return r;
  }).catch(() => caches.match(ev.request)));
});
