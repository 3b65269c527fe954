// A bearer's side of sync (docs/sync.md) in JS: its own Ed25519 identity key, challenge, signature.
import { generateKeyPairSync, sign } from 'node:crypto';

/** A fresh bearer identity: public key as the 64-hex string the UI asks for. */
export function newBearerKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { publicKey, privateKey, publicHex: der.subarray(der.length - 32).toString('hex') };
}

/** "portvakt-sync-v1" || 0x00 || nonce (32 bytes) || bearer_id (u32 LE), signed by the bearer. */
export function syncSignature(privateKey, nonceHex, bearerId) {
  const id = Buffer.alloc(4);
  id.writeUInt32LE(bearerId);
  const msg = Buffer.concat([Buffer.from('portvakt-sync-v1'), Buffer.from([0]), Buffer.from(nonceHex, 'hex'), id]);
  return sign(null, msg, privateKey).toString('hex');
}

/** Sync as the key does: challenge, then the signed request. Returns { status, data }. */
export async function syncBearer(base, key, bearerId, extra = {}) {
  const post = async (path, body) => {
    const r = await fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    return { status: r.status, data };
  };
  const ch = await post('/sync/challenge', { bearer_id: bearerId });
  if (ch.status !== 200) return ch;
  return post('/sync', { bearer_id: bearerId, nonce: ch.data.nonce, signature: syncSignature(key.privateKey, ch.data.nonce, bearerId), ...extra });
}
