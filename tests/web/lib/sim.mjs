// The district simulator as the browser tests use it: `portvakt-sim visit` registers one key and
// one lock through the API, syncs the key through a real portvakt-station, opens the door on the
// real lock and key cores, and hands the lock's signed log up to the server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const CANDIDATES = ['tools/sim/portvakt-sim', 'tools/portvakt-sim', 'portvakt-sim', 'bin/portvakt-sim'];

/** The simulator binary in the build directory, if it has the `visit` command. */
export function findSimulator() {
  const build = process.env.PV_BUILD_DIR;
  if (!build) return null;
  for (const c of CANDIDATES) {
    const p = join(build, c);
    if (!existsSync(p)) continue;
    const help = spawnSync(p, ['--help'], { encoding: 'utf8', timeout: 10000 });
    if (/\bvisit\b/.test(`${help.stdout}${help.stderr}`)) return { path: p };
  }
  return null;
}

/** Run one visit with an API token; resolves { ok, lockId, output }. */
export function simVisit(sim, base, token) {
  return new Promise((resolve) => {
    const args = ['visit', '--server', base, '--token', token];
    const child = spawn(sim.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGTERM'), 90000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /door: lock (\d+) opened/.exec(out);
      resolve({ ok: code === 0 && !!m, lockId: m ? Number(m[1]) : null, output: `portvakt-sim ${args[0]} --server ${base} --token …\n${out}` });
    });
  });
}
