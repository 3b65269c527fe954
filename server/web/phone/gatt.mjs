// Portvakt's GATT framing (docs/protocol.md, "Bluetooth LE (GATT)"): one radio frame
// (M1..M4, at most 3,072 bytes) cut into fragments that fit one ATT write or notification,
// and a strict reassembler that drops anything out of order, too long or too big.

export const SERVICE = 'a7f10000-3c2d-4e5b-9f1a-706f7274766b';
export const TO_LOCK = 'a7f10001-3c2d-4e5b-9f1a-706f7274766b';   // write (without response)
export const FROM_LOCK = 'a7f10002-3c2d-4e5b-9f1a-706f7274766b'; // notify
export const MAX_FRAGMENT = 'a7f10003-3c2d-4e5b-9f1a-706f7274766b'; // read: u16 LE

export const FRAME_MAX = 3072;  // PV_MSG_MAX
export const FRAG_MIN = 20;     // ATT_MTU 23 - 3: every BLE link carries this much
export const FRAG_MAX = 512;    // the largest attribute value ATT allows
const FIRST = 0x80, LAST = 0x40, SEQ = 0x3f;

export class FramingError extends Error {}

// Fragments of frame for a link that carries maxFrag bytes per write.
export function fragment(frame, maxFrag) {
  if (!(frame instanceof Uint8Array) || frame.length < 1 || frame.length > FRAME_MAX)
    throw new FramingError('a radio frame is 1..3072 bytes');
  if (!Number.isInteger(maxFrag) || maxFrag < FRAG_MIN || maxFrag > FRAG_MAX)
    throw new FramingError('fragment size must be 20..512');
  const out = [];
  let off = 0, seq = 0;
  while (off < frame.length) {
    const head = off === 0 ? 3 : 1;
    const n = Math.min(maxFrag - head, frame.length - off);
    const f = new Uint8Array(head + n);
    f[0] = (off === 0 ? FIRST : 0) | (off + n === frame.length ? LAST : 0) | (seq & SEQ);
    if (off === 0) { f[1] = frame.length & 0xff; f[2] = frame.length >> 8; }
    f.set(frame.subarray(off, off + n), head);
    out.push(f);
    off += n;
    seq++;
  }
  return out;
}

// Feed fragments in arrival order; push() returns a whole frame or null, and throws
// FramingError (dropping the frame in progress) on anything the format does not allow.
export class Reassembler {
  constructor(maxFrag = FRAG_MAX) { this.maxFrag = maxFrag; this.reset(); }
  reset() { this.buf = null; this.len = 0; this.seq = 0; }
  push(f) {
    try {
      return this.take(f);
    } catch (e) {
      this.reset();
      throw e;
    }
  }
  take(f) {
    if (!(f instanceof Uint8Array) || f.length < 2 || f.length > this.maxFrag)
      throw new FramingError(`fragment of ${f && f.length} bytes refused`);
    const h = f[0];
    if (h & FIRST) {
      if (f.length < 4) throw new FramingError('first fragment too short');
      const total = f[1] | (f[2] << 8);
      if (total < 1 || total > FRAME_MAX) throw new FramingError(`frame of ${total} bytes refused`);
      if ((h & SEQ) !== 0) throw new FramingError('first fragment must have sequence 0');
      this.buf = new Uint8Array(total);
      this.len = 0;
      this.seq = 0;
      return this.add(h, f.subarray(3));
    }
    if (!this.buf) throw new FramingError('fragment without a first fragment');
    if ((h & SEQ) !== ((this.seq + 1) & SEQ)) throw new FramingError('fragment out of order');
    this.seq = h & SEQ;
    return this.add(h, f.subarray(1));
  }
  add(h, data) {
    if (data.length === 0 || this.len + data.length > this.buf.length)
      throw new FramingError('more bytes than the frame announced');
    this.buf.set(data, this.len);
    this.len += data.length;
    const done = this.len === this.buf.length;
    if (Boolean(h & LAST) !== done) throw new FramingError('last-fragment flag does not match the length');
    if (!done) return null;
    const frame = this.buf;
    this.reset();
    return frame;
  }
}
