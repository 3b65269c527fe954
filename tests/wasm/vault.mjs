// The phone's PIN vault in WebAssembly: the seed comes back only with the right PIN; a
// wrong PIN, an altered byte or lowered Argon2id parameters are refused.
// Usage: node vault.mjs PV_PHONE_NODE_CJS
import { createRequire } from 'node:module';
import { PhoneCore } from '../../server/web/phone/key.mjs';

const core = await PhoneCore.load(createRequire(import.meta.url)(process.argv[2]));
let failed = 0, passed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.log(`FAIL ${what}`); } };

const seed = core.seedNew();
const t0 = performance.now();
const vault = core.vaultSeal('482916', seed);
const sealMs = performance.now() - t0;
check(vault.length === 97 && vault[0] === 1, 'vault is 97 bytes, version 1');
check(!Buffer.from(vault).includes(Buffer.from(seed)), 'the seed is not in the vault in clear');
const ok = core.vaultOpen('482916', vault);
check(ok.ok && Buffer.from(ok.seed).equals(Buffer.from(seed)), 'right PIN opens');
check(core.vaultOpen('482917', vault).code === 'PV_E_DECRYPT', 'wrong PIN refused');
check(core.vaultOpen('12', vault).code === 'PV_E_DECRYPT', 'too-short PIN refused');
for (const i of [0, 1, 5, 9, 40, 60, 96]) {
  const bad = vault.slice();
  bad[i] ^= 1;
  const r = core.vaultOpen('482916', bad);
  check(!r.ok, `altered byte ${i} refused (${r.code})`);
}
check(core.vaultOpen('482916', vault.slice(0, 96)).code === 'PV_E_LENGTH', 'short vault refused');
const other = core.vaultSeal('482916', seed);
check(!Buffer.from(other).equals(Buffer.from(vault)), 'fresh salt and nonce per seal');
let threw = '';
try { core.vaultSeal('123', seed); } catch (e) { threw = e.codeName; }
check(threw === 'PV_E_RANGE', 'a PIN under 4 digits cannot seal');
console.log(`Argon2id seal (64 MiB, 3 passes) in WebAssembly: ${sealMs.toFixed(0)} ms`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
