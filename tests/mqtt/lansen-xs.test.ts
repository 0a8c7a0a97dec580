/**
 * The Lansen packet and frame-JSON codecs on the real XS engine (xsnap), compared with the same code
 * on Node: the manual's example packet decoded and re-encoded, corpus telegrams wrapped, a status
 * and a ready packet, and the JSON message of corpus frames (whole and cut short).
 */
import { buildSync } from 'esbuild';
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadCorpus } from '../wmbus/corpus';
import { answer, type LansenRequest } from './xs/lansen-answer';

/** The XS driver of the file-codec suite: starts xsnap, evaluates the bundle, sends each request. */
const DRIVER = join(__dirname, '..', 'files', 'xs', 'driver.mjs');

function runOnXs(requests: readonly LansenRequest[]): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), 'wmbus-lansen-xs-'));
  try {
    const bundle = join(dir, 'entry.js');
    buildSync({ entryPoints: [join(__dirname, 'xs', 'lansen-entry.ts')], bundle: true, format: 'iife', target: 'es2022', outfile: bundle, logLevel: 'silent' });
    const input = join(dir, 'requests.json');
    writeFileSync(input, JSON.stringify(requests));
    const output = execFileSync(process.execPath, [DRIVER, bundle, input], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(output.toString('utf8')) as unknown[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lansen MQTT manual, "MQTT traffic": the example data packet without its MQTT header. */
const MANUAL_PACKET =
  '6888886808FD729742040033300B32580000000C7853610400066D588495DE265B01FD71A38C4078974204008140FDF19474' +
  '000DFD3B5554443330974204000B327AC40000402F2F04FD3AD3C400008240FD3A1E0102FD0F9500818040FD3A0084C040FD' +
  '3AA699000042FD3A19008201FD3A8705C101FD3A7F8202FD3AE001066D1A0495DE260002FD460B0DB216';

const CORPUS = loadCorpus().filter((e) => !e.dll_crc_present && e.l_field_matches_length === true);
const SAMPLE = CORPUS.filter((_, i) => i % 25 === 0);

const CASES: readonly (readonly [name: string, request: LansenRequest])[] = [
  ["decode and re-encode the manual's example packet", { op: 'container', hex: MANUAL_PACKET }],
  ['decode a packet with a wrong checksum', { op: 'container', hex: MANUAL_PACKET.replace(/B216$/, 'B316') }],
  ...SAMPLE.map((e, i) => [`wrap corpus telegram ${i} (${e.manufacturer} ${e.expected_id})`, { op: 'wrap', time: 1767592803 + i * 3607, rssi: -40 - i, hex: e.telegram_hex, serial: '00000123' }] as const),
  [
    'encode and decode a status packet',
    {
      op: 'status',
      serial: '00000008',
      status: { packetsSent: 65793, whitelistSize: 521, firmwareVersion: 120, listening: true, time: 946684862, batteryMv: 3600, imei: '012345678901234', iccid: '01234567890123456789', modemRssi: -71, uptimeDays: 2051, modemOnSeconds: 9173511, radioListenSeconds: 9173511, lowBattery: true },
    },
  ],
  ['encode and decode a ready packet', { op: 'ready', serial: '12345678', access: 0x75 }],
  ...SAMPLE.map((e, i) => [`JSON of corpus frame ${i} (${e.manufacturer} ${e.expected_id})`, { op: 'json', time: 1767592803 + i, rssi: -71, hex: e.telegram_hex, uid: 'WE_000123' }] as const),
  ...SAMPLE.map((e, i) => [`JSON of corpus frame ${i} cut to 13 bytes`, { op: 'json', time: 1767592803, rssi: -71, hex: e.telegram_hex.slice(0, 26), uid: 'WE_000123' }] as const),
];

let xsReplies: unknown[];

beforeAll(() => {
  xsReplies = runOnXs(CASES.map(([, r]) => r));
}, 120000);

describe('Lansen and frame-JSON codecs on XS give what they give on Node', () => {
  test('XS answered every request', () => {
    expect(xsReplies).toHaveLength(CASES.length);
  });

  test.each(CASES.map(([name, request], i) => [name, request, i] as const))('%s', (_name, request, i) => {
    expect(xsReplies[i]).toEqual(JSON.parse(JSON.stringify(answer(request))));
  });

  test("XS re-encodes the manual's example packet byte for byte", () => {
    expect((xsReplies[0] as { again: string }).again).toBe(MANUAL_PACKET.toLowerCase());
  });
});
