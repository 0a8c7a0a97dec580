/** `wmbus` as an operator runs it: bin/wmbus.js in its own process, exit code and output checked. */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const BIN = join(__dirname, '..', '..', 'bin', 'wmbus.js');

function wmbus(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wmbus-bin-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('an unknown command says so, prints the usage and exits 2', () => {
  const r = wmbus('bogus');
  expect(r.code).toBe(2);
  expect(r.err.split('\n').slice(0, 2)).toEqual(['wmbus: unknown command "bogus"', 'usage: wmbus <command> [args]']);
  expect(r.out).toBe('');
});

test('a name of Object.prototype is an unknown command too, not a crash', () => {
  const r = wmbus('toString');
  expect(r.code).toBe(2);
  expect(r.err.split('\n')[0]).toBe('wmbus: unknown command "toString"');
});

test('--help prints the usage and exits 0', () => {
  const r = wmbus('--help');
  expect(r.code).toBe(0);
  expect(r.err.split('\n')[0]).toBe('usage: wmbus <command> [args]');
});

test('bson2json on a text file says it is not BSON, without a stack trace', () => {
  const path = join(dir, 'hello.bson');
  writeFileSync(path, 'hello world\n');
  const r = wmbus('bson2json', path);
  expect(r.code).toBe(1);
  expect(r.err).toBe(`error: ${path} is not a BSON file: it holds text (it starts with "hello wo")\n`);
  expect(r.out).toBe('');
});

test('config check on a file that does not exist is a usage error (exit 2), not an ACK', () => {
  const path = join(dir, 'missing', '123456-cfg.bson');
  const r = wmbus('config', 'check', path);
  expect(r.code).toBe(2);
  expect(r.err.split('\n')[0]).toBe(`error: cannot read ${path}: ENOENT: no such file or directory, open '${path}'`);
  expect(r.out).toBe('');
});
