// The district simulator as the browser tests use it: `portvakt-sim visit` syncs a key through a
// real portvakt-station, opens doors on the real lock and key cores, and hands the locks' signed
// logs up to the server — with a key and lock it registers itself, or with the key and locks the
// test registered (their Ed25519 seeds).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const CANDIDATES = ['tools/sim/portvakt-sim', 'tools/portvakt-sim', 'portvakt-sim', 'bin/portvakt-sim'];

/** The simulator binary in the build directory, if it has the `visit` command (and, with
 * `existingKey`, visit's options for a key and locks registered by someone else). */
export function findSimulator({ existingKey = false } = {}) {
  const build = process.env.PV_BUILD_DIR;
  if (!build) return null;
  for (const c of CANDIDATES) {
    const p = join(build, c);
    if (!existsSync(p)) continue;
    const help = spawnSync(p, ['--help'], { encoding: 'utf8', timeout: 10000 });
    const text = `${help.stdout}${help.stderr}`;
    if (/\bvisit\b/.test(text) && (!existingKey || /--bearer-seed/.test(text))) return { path: p };
  }
  return null;
}

/** The 32-byte Ed25519 seed of a node:crypto private key, as hex (what `visit --bearer-seed` takes). */
export function seedHex(privateKey) {
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  return der.subarray(der.length - 32).toString('hex');
}

/**
 * Run one visit with an API token; `extra` are more `visit` options (an existing key and locks:
 * --bearer-id, --bearer-seed, --lock-id, --lock-seed, --expect). Resolves { ok, lockId, stored,
 * output }; the output names no token or seed.
 */
export function simVisit(sim, base, token, extra = []) {
  return new Promise((resolve) => {
    const args = ['visit', '--server', base, '--token', token, ...extra];
    const child = spawn(sim.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGTERM'), 90000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /door: lock (\d+) opened/.exec(out);
      const log = /^log: (\d+) lock event/m.exec(out);
      resolve({ ok: code === 0 && !!m, lockId: m ? Number(m[1]) : null, stored: log ? Number(log[1]) : 0, output: `portvakt-sim ${args[0]} --server ${base} --token … (${extra.filter((a) => a.startsWith('--')).join(' ')})\n${out}` });
    });
  });
}

/**
 * `portvakt-sim enrol`: a new key (its node:crypto key pair) held to a fresh station of the
 * provider; resolves { ok, code, output } with the enrolment code the station showed.
 */
export function simEnrol(sim, base, token, providerId, key) {
  return new Promise((resolve) => {
    const args = ['enrol', '--server', base, '--token', token, '--provider-id', String(providerId), '--bearer-seed', seedHex(key.privateKey)];
    const child = spawn(sim.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGTERM'), 60000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /code ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(out);
      resolve({ ok: code === 0 && !!m, code: m ? m[1] : null, output: `portvakt-sim enrol --server ${base} --token … --provider-id ${providerId}\n${out}` });
    });
  });
}
