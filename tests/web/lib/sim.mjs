// The district simulator as the browser tests use it: a virtual key presents a server-issued
// credential at a virtual lock, and the lock's signed log reaches the server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const CANDIDATES = ['tools/sim/portvakt-sim', 'tools/portvakt-sim', 'portvakt-sim', 'bin/portvakt-sim'];

/** The simulator binary in the build directory, if it has a command for one visit against a server. */
export function findSimulator() {
  const build = process.env.PV_BUILD_DIR;
  if (!build) return null;
  for (const c of CANDIDATES) {
    const p = join(build, c);
    if (!existsSync(p)) continue;
    const help = spawnSync(p, ['--help'], { encoding: 'utf8', timeout: 10000 });
    const text = `${help.stdout}${help.stderr}`;
    if (/\bvisit\b/.test(text)) return { path: p, help: text };
  }
  return null;
}

/** One visit: the simulated key with `key`'s identity syncs and opens `lockId`; logs are uploaded. */
export async function openDoor(sim, f, { key, bearerId, lockId }) {
  const keyDer = key.privateKey.export({ type: 'pkcs8', format: 'der' });
  const seed = keyDer.subarray(keyDer.length - 32).toString('hex');
  const args = ['visit', '--server', f.base, '--bearer-id', String(bearerId), '--bearer-seed', seed, '--lock-id', String(lockId)];
  const r = spawnSync(sim.path, args, { encoding: 'utf8', timeout: 60000 });
  return { ok: r.status === 0, output: `${sim.path} ${args.join(' ')}\n${r.stdout}${r.stderr}` };
}
