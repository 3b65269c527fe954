// The phone's storage: one IndexedDB object store of named values. What it holds is
// either sealed (the vault: the key's identity under the PIN) or public (the credential,
// its rights, the revocation list, the beacon; the wrong-PIN count; settings).
const DB = 'portvakt-phone', STORE = 'kv';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const result = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

export const get = (k) => tx('readonly', (s) => s.get(k));
export const put = (k, v) => tx('readwrite', (s) => { s.put(v, k); });
export const del = (...ks) => tx('readwrite', (s) => { for (const k of ks) s.delete(k); });
