// RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) from an otpauth:// URI, for signing in test users.
import { createHmac } from 'node:crypto';

/** RFC 4648 base32 (no padding needed) → Buffer. */
export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.toUpperCase().replace(/[=\s]/g, '');
  let bits = 0; let value = 0; const out = [];
  for (const ch of clean) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`bad base32 character ${ch}`);
    value = (value << 5) | idx; bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

/** The secret parameter of an otpauth URI. */
export function secretFromUri(uri) {
  const secret = new URL(uri).searchParams.get('secret');
  if (!secret) throw new Error(`no secret in ${uri}`);
  return secret;
}

/** The code for unix time `now` (seconds); `step` offset lets a test use the next window. */
export function totp(secretB32, now = Date.now() / 1000, step = 0) {
  const counter = Math.floor(now / 30) + step;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', base32Decode(secretB32)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}
