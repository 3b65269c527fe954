// The phone's GATT framing (server/web/phone/gatt.mjs): every frame size from 1 to 3,072
// bytes survives fragmentation at 20, 182 and 512 bytes per fragment, and the reassembler
// refuses oversized writes, out-of-order, missing, extra and lying fragments without
// keeping any of them. Usage: node gatt.mjs
import { fragment, Reassembler, FramingError } from '../../server/web/phone/gatt.mjs';

let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.log(`FAIL ${what}`); } };
const refuses = (fn) => { try { fn(); return false; } catch (e) { return e instanceof FramingError; } };

for (const mtu of [20, 182, 512]) {
  let bad = 0;
  for (let n = 1; n <= 3072; n += n < 600 ? 1 : 37) {
    const frame = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
    const frags = fragment(frame, mtu);
    const r = new Reassembler(mtu);
    let got = null;
    frags.forEach((f, i) => {
      if (f.length > mtu) bad++;
      const out = r.push(f);
      if ((out !== null) !== (i === frags.length - 1)) bad++;
      if (out) got = out;
    });
    if (!got || Buffer.compare(Buffer.from(got), Buffer.from(frame)) !== 0) bad++;
  }
  check(bad === 0, `every frame size round-trips at ${mtu} bytes per fragment`);
}
const frame = Uint8Array.from({ length: 800 }, (_, i) => i & 0xff);
const f = fragment(frame, 182);
check(f.length === 5, `an 800-byte M3 takes 5 writes at MTU 185 (got ${f.length})`);
const r = new Reassembler(182);
check(refuses(() => r.push(new Uint8Array(183))), 'a write over the fragment size is refused');
check(refuses(() => r.push(f[1])), 'a middle fragment without a first is refused');
r.push(f[0]);
check(refuses(() => r.push(f[2])), 'a skipped fragment is refused');
check(r.buf === null, 'and the frame in progress is dropped');
r.push(f[0]); r.push(f[1]);
check(refuses(() => r.push(f[1])), 'a repeated fragment is refused');
const big = new Uint8Array(20); big[0] = 0xc0; big[1] = 0x01; big[2] = 0x0c; // 3073 bytes announced
check(refuses(() => new Reassembler(20).push(big)), 'a frame announced over 3,072 bytes is refused');
const lie = fragment(new Uint8Array(10), 20)[0].slice(); lie[1] = 5; // says 5, carries 10
check(refuses(() => new Reassembler(20).push(lie)), 'more bytes than announced are refused');
const early = fragment(new Uint8Array(40), 20)[0].slice(); early[0] |= 0x40; // LAST too soon
check(refuses(() => new Reassembler(20).push(early)), 'a last flag before the end is refused');
check(refuses(() => fragment(new Uint8Array(3073), 512)), 'the key cannot send a frame over 3,072 bytes');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
