// The phone's key core (lib/key in WebAssembly, driven through server/web/phone/key.mjs,
// the app's own wrapper) against tests/vectors: the vectors' bearer seed gives their public
// key; with each exchange's ephemeral randomness the key sends M1 byte for byte; it installs
// the vectors' credential (issuer pinned, so the signature is checked in WebAssembly) and
// judges the vectors' M2 as the fob would: lock 1035's right (entry 5) opens 120 minutes
// after not_before and M2's lock time is 10 minutes after, so the key refuses by itself
// (PV_E_NOT_YET_VALID) yet still builds an M3 that delivers its newer list and beacon. (The
// vectors' M3 presents entry 5 regardless, built through lib/proto's key-side handshake:
// wasm_proto_vectors reproduces those bytes in WebAssembly.)
// Usage: node key_vectors.mjs PV_PHONE_NODE_CJS VECTOR_DIR
import { createRequire } from 'node:module';
import { PhoneCore } from '../../server/web/phone/key.mjs';
import { readVectors, hex, tohex } from './hexvec.mjs';

const [modPath, dir] = process.argv.slice(2);
const core = await PhoneCore.load(createRequire(import.meta.url)(modPath));
const m = core.m;
const keys = readVectors(`${dir}/keys.hex`)[0];
const cred = readVectors(`${dir}/credential.hex`)[0];
const revlist = readVectors(`${dir}/revlist.hex`).find((r) => r.count === '3');
const beacon = readVectors(`${dir}/beacon.hex`)[0];
let failed = 0, passed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.log(`FAIL ${what}`); } };

function setRandom(bytes) { core.call([bytes], [], (p) => m._pvw_test_set_random(p, bytes.length)); }

const seed = hex(keys.bearer_seed);
check(tohex(core.seedPublic(seed)) === keys.bearer_pk, 'the bearer seed gives the vectors\' public key');
for (const v of readVectors(`${dir}/unlock.hex`)) {
  const key = core.openKey(seed);
  try {
    key.setIssuer(Number(v.issuer_id), hex(keys.issuer_pk));
    m._pvw_test_set_now(Number(v.lock_time));
    key.install(hex(cred.bytes), hex(cred.entries), hex(revlist.bytes), hex(beacon.bytes));
    check(key.rights() === Number(cred.entry_count), `${v._name}: ${cred.entry_count} rights installed`);
    setRandom(hex(v.key_rand));
    key.confirm();
    const m1 = key.unlockStart();
    check(tohex(m1) === v.m1, `${v._name}: M1 byte for byte`);
    const ch = key.onChallenge(hex(v.m2));
    check(ch.name === 'PV_E_NOT_YET_VALID' && ch.m3 !== null,
          `${v._name}: key refuses by itself (${ch.name}) and still delivers`);
    check(ch.m3 && ch.m3[0] === 1 && ch.m3[1] === 0x12, `${v._name}: the delivering M3 is a PRESENT message`);
    check(key.onResult(hex(v.m4)).name !== 'PV_OK', `${v._name}: an M4 sealed for another M3 never reads as opened`);
    console.log(`${v._name}: M1 ${m1.length} B byte for byte, M2 -> ${ch.name} with a ${ch.m3 ? ch.m3.length : 0}-byte delivering M3`);
  } finally {
    key.close();
  }
}
// The tap is required: without confirm() the core refuses to start.
{
  const key = core.openKey(seed);
  m._pvw_test_set_now(Number(cred.not_before));
  key.install(hex(cred.bytes), hex(cred.entries), null, null);
  let name = '';
  try { key.unlockStart(); } catch (e) { name = e.codeName; }
  check(name === 'PV_E_NOT_CONFIRMED', 'no unlock without the explicit tap');
  key.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
