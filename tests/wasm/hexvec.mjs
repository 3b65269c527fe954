// Reads tests/vectors/*.hex (format: tests/vectors/README.md) into records of strings.
import { readFileSync } from 'node:fs';

export function readVectors(path) {
  const recs = [];
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const head = line.match(/^\[(\w+)\]$/);
    if (head) { recs.push({ _name: head[1] }); continue; }
    const kv = line.match(/^(\w+) = ?(.*)$/);
    if (!kv || !recs.length) throw new Error(`${path}: cannot read line "${line}"`);
    recs[recs.length - 1][kv[1]] = kv[2];
  }
  return recs;
}

export const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
export const tohex = (b) => Buffer.from(b).toString('hex');
