/**
 * A head-end's view of the simulated meters (issue 12 item 4): a default site runs for a day with
 * `--out`, and every frame the box uploaded to the FTP server (DIR/server/DATA, decoded with the
 * firmware's file codec) that is encrypted decrypts with the key list `--out` wrote, by Node's crypto:
 * mode 5 and 7 show 2F 2F, mode 7's AFL MAC checks, the ELL payload CRC checks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BsonBinary } from '../../protocol/bson/types';
import { decodeFile } from '../../protocol/files/codec';
import { parseHeader } from '../../protocol/wmbus/header';
import { runOnNode } from '../../sim/cli/main.node';
import { KEY_LIST_FILE, KEY_LIST_HEADER } from '../../sim/radio/key-list';
import { oracleDecrypt } from './meters-oracle';

/** Two runs of a simulated day, a few seconds each. */
const TEST_TIMEOUT_MS = 180_000;

interface SiteRun {
  readonly keys: string;
  /** Every uploaded data file, by name, in hex. */
  readonly dataFiles: Record<string, string>;
  /** The frames of all data files. */
  readonly frames: Uint8Array[];
}

async function runDay(): Promise<SiteRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meters-site-'));
  try {
    await runOnNode(['--days', '1', '--out', dir], () => undefined);
    const dataDir = path.join(dir, 'server', 'DATA');
    const dataFiles: Record<string, string> = {};
    const frames: Uint8Array[] = [];
    for (const name of fs.readdirSync(dataDir).sort()) {
      const bytes = new Uint8Array(fs.readFileSync(path.join(dataDir, name)));
      dataFiles[name] = Buffer.from(bytes).toString('hex');
      const file = decodeFile(bytes, { encrypted: false });
      if (!file.ok) throw new Error(`${name}: ${file.error} ${file.detail ?? ''}`);
      for (const record of file.doc.data as { F: BsonBinary }[]) frames.push(record.F.bytes);
    }
    return { keys: fs.readFileSync(path.join(dir, KEY_LIST_FILE), 'utf8'), dataFiles, frames };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('a simulated site read by a head-end with its key list', () => {
  let first: SiteRun;
  let second: SiteRun;

  beforeAll(async () => {
    first = await runDay();
    second = await runDay();
  }, TEST_TIMEOUT_MS);

  test('--out writes the key list: a header row, then id (8 digits), manufacturer, driver, key (32 hex digits)', () => {
    const rows = first.keys.trimEnd().split('\n');
    expect(rows[0]).toBe(KEY_LIST_HEADER);
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows.slice(1)) expect(row).toMatch(/^\d{8},[A-Z]{3},[a-z0-9_]*,[0-9A-F]{32}$/);
  });

  test('every encrypted frame the box uploaded decrypts with the key of its meter', () => {
    const keys = new Map(first.keys.trimEnd().split('\n').slice(1).map((row) => {
      const [id, , , key] = row.split(',');
      return [id, Buffer.from(key, 'hex')] as const;
    }));
    const schemes: Record<string, number> = {};
    const failures: string[] = [];
    for (const frame of first.frames) {
      const h = parseHeader(frame);
      const id = h.ok ? h.header.meter.id : '';
      const key = keys.get(id);
      const r = oracleDecrypt(frame, key ?? Buffer.alloc(16));
      if (r.scheme === 'none') continue;
      schemes[r.scheme] = (schemes[r.scheme] ?? 0) + 1;
      if (key === undefined || !r.ok) failures.push(`${id}: ${key === undefined ? 'no key listed' : r.ok ? '' : r.error}`);
    }
    expect(failures).toEqual([]);
    expect(Object.keys(schemes).sort()).toEqual(['ell', 'mode5', 'mode7']);
    expect(first.frames.length).toBeGreaterThan(100);
  });

  test('the same seed gives the same key list and the same uploaded bytes', () => {
    expect(second.keys).toBe(first.keys);
    expect(second.dataFiles).toEqual(first.dataFiles);
  });
});
