// The door step: pv-web-door (tests/web/door/) runs the real key and lock cores on the
// simulated platform with the identities the test registered, and returns the lock's signed
// log batches that the key carries to its next sync.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export function findDoor() {
  const p = process.env.PV_BUILD_DIR && join(process.env.PV_BUILD_DIR, 'tests', 'web', 'pv-web-door');
  return p && existsSync(p) ? p : null;
}

/** The 32-byte Ed25519 seed of a node:crypto private key, as hex. */
export function seedHex(privateKey) {
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  return der.subarray(der.length - 32).toString('hex');
}

/** Present `sync` (the server's answer) at lock `lockId`; resolves { opened, batches, output }. */
export function openDoor(bin, { issuer, lockId, lockSeed, bearerSeed, sync }) {
  const args = ['--issuer-id', String(issuer.issuer_id), '--issuer-pk', issuer.public_key,
    '--lock-id', String(lockId), '--lock-seed', lockSeed, '--bearer-seed', bearerSeed,
    '--credential', sync.credential, '--entries', sync.entries];
  if (sync.revlist) args.push('--revlist', sync.revlist);
  if (sync.beacon) args.push('--beacon', sync.beacon);
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 30000 });
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  return {
    opened: r.status === 0 && new RegExp(`door: lock ${lockId} opened`).test(out),
    batches: [...out.matchAll(/^batch ([0-9a-f]+)$/gm)].map((m) => m[1]),
    output: `pv-web-door --lock-id ${lockId} …\n${out}`,
  };
}
