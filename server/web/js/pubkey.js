// Public keys as people scan or type them: a label's QR code (a hand scanner types its text
// into the field) or 64 hex digits with 6 check digits. The server reads the text and refuses
// a typo before anything is registered (POST /public-keys/read; docs/enrolment.md).
import { api } from './api.js';

/** The key in hex from what was scanned or typed, for a device of `kind` (lock, key, station); throws the server's refusal. */
export async function keyFromText(text, kind) {
  const res = await api('POST', '/public-keys/read', { text: String(text || '').trim(), kind });
  return res.public_key;
}
