// Keys and locks as their labels show them, made by the installer's own tool (`portvakt
// lock-commission` / `bearer-register` print the label text: the public key with its 6 check
// digits, lib/proto/pkcode.c) — so the tests type and scan what a person would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

/** Runs each `portvakt` command (an array of arguments) in one fresh state directory; their outputs. */
function portvakt(...commands) {
  const build = process.env.PV_BUILD_DIR;
  if (!build) throw new Error('PV_BUILD_DIR is not set (tests/web/run.sh sets it)');
  const dir = mkdtempSync(join(tmpdir(), 'pv-label-'));
  try {
    return commands.map((args) => execFileSync(join(build, 'tools/portvakt/portvakt'), [...args, '--dir', dir], { encoding: 'utf8', timeout: 30000 }));
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** The typed form of a public key, "<64 hex>-<6 check digits>", as the key's label prints it. */
export function keyText(publicHex) {
  const [out] = portvakt(['bearer-register', '--bearer-id', '1', '--public-key', publicHex]);
  const m = /^label portvakt:key:([0-9a-f]{64}-[0-9a-f]{6})$/m.exec(out);
  if (!m) throw new Error(`no label in: ${out}`);
  return m[1];
}

/** A new lock as the installer's tool makes it: { publicHex, label } where label is the text of
 * the QR code on the lock ("portvakt:lock:<hex>-<check>"). */
export function newLockLabel() {
  const [, out] = portvakt(['issuer-create', '--issuer-id', '1'], ['lock-commission', '--lock-id', '1']);
  const pk = /^log-signing public key ([0-9a-f]{64})$/m.exec(out);
  const label = /^label (portvakt:lock:[0-9a-f]{64}-[0-9a-f]{6})$/m.exec(out);
  if (!pk || !label) throw new Error(`no key or label in: ${out}`);
  return { publicHex: pk[1], label: label[1] };
}
