/**
 * The MQTT codec on the real XS engine (xsnap), compared with the same code on Node: every sample
 * packet encoded, streams decoded whole and byte by byte, every malformed case, and the encoder's
 * refusals, which must reach XS callers as MqttEncodeError.
 */
import { buildSync } from 'esbuild';
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { toHex } from '../../protocol/text/utf8';
import { MALFORMED } from './malformed';
import { oracleBytes } from './oracle';
import { SAMPLES, concat } from './packets';
import { answer, packetJson, type MqttRequest } from './xs/answer';

/** The XS driver of the file-codec suite: starts xsnap, evaluates the bundle, sends each request. */
const DRIVER = join(__dirname, '..', 'files', 'xs', 'driver.mjs');

function runOnXs(requests: readonly MqttRequest[]): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), 'wmbus-mqtt-xs-'));
  try {
    const bundle = join(dir, 'entry.js');
    buildSync({ entryPoints: [join(__dirname, 'xs', 'entry.ts')], bundle: true, format: 'iife', target: 'es2022', outfile: bundle, logLevel: 'silent' });
    const input = join(dir, 'requests.json');
    writeFileSync(input, JSON.stringify(requests));
    const output = execFileSync(process.execPath, [DRIVER, bundle, input], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(output.toString('utf8')) as unknown[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const STREAM = concat(...SAMPLES.map(([, p]) => oracleBytes(p)));
/** §2.2.1 Table 2.1: the samples a server sends. */
const SERVER_SAMPLES = SAMPLES.filter(([, p]) => !['connect', 'subscribe', 'unsubscribe', 'pingreq', 'disconnect'].includes(p.type));
const FROM_SERVER = concat(...SERVER_SAMPLES.map(([, p]) => oracleBytes(p)));

const CASES: readonly (readonly [name: string, request: MqttRequest])[] = [
  ...SAMPLES.map(([name, packet]) => [`encode ${name}`, { op: 'encode', packet: packetJson(packet) }] as const),
  ['encode PUBLISH QoS 2 (refused)', { op: 'encode', packet: packetJson({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 2, retain: false, dup: false, packetId: 1 }) }],
  ['encode a CONNECT password without user name (refused)', { op: 'encode', packet: packetJson({ type: 'connect', clientId: 'c', cleanSession: true, keepAlive: 0, password: Uint8Array.of(1) }) }],
  ['decode every sample in one read', { op: 'decode', hex: toHex(STREAM), chunk: STREAM.length, max: 1 << 20 }],
  ['decode every sample byte by byte', { op: 'decode', hex: toHex(STREAM), chunk: 1, max: 1 << 20 }],
  ['decode every sample in 7-byte reads', { op: 'decode', hex: toHex(STREAM), chunk: 7, max: 1 << 20 }],
  ['decode a packet above the maximum', { op: 'decode', hex: toHex(oracleBytes({ type: 'publish', topic: 't', payload: new Uint8Array(100), qos: 0, retain: false, dup: false })), chunk: 1, max: 64 }],
  ...MALFORMED.map(([fault, bytes]) => [`decode ${fault}`, { op: 'decode', hex: toHex(Uint8Array.from(bytes)), chunk: 1, max: 1024 }] as const),
  ['device decoder: every sample a server sends, in 7-byte reads', { op: 'decode', hex: toHex(FROM_SERVER), chunk: 7, max: 1 << 20, device: true }],
  ['device decoder: a CONNECT from a server is refused', { op: 'decode', hex: toHex(oracleBytes(SAMPLES[0][1])), chunk: 1, max: 1024, device: true }],
];

let xsReplies: unknown[];

beforeAll(() => {
  xsReplies = runOnXs(CASES.map(([, r]) => r));
}, 120000);

describe('MQTT codec on XS gives what it gives on Node', () => {
  test('XS answered every request', () => {
    expect(xsReplies).toHaveLength(CASES.length);
  });

  test.each(CASES.map(([name, request], i) => [name, request, i] as const))('%s', (_name, request, i) => {
    expect(xsReplies[i]).toEqual(JSON.parse(JSON.stringify(answer(request))));
  });

  test('a refused encode reaches the XS caller as an MqttEncodeError', () => {
    const i = CASES.findIndex(([name]) => name === 'encode PUBLISH QoS 2 (refused)');
    expect(xsReplies[i]).toEqual({ ok: false, encodeError: true, name: 'MqttEncodeError', error: 'PUBLISH QoS 2 is not supported: this codec implements QoS 0 and 1 only' });
  });

  test('XS decodes the sample stream byte by byte into every sample packet', () => {
    const i = CASES.findIndex(([name]) => name === 'decode every sample byte by byte');
    const reply = xsReplies[i] as { results: { packets: unknown[] }[]; stats: unknown };
    expect(reply.results.flatMap((r) => r.packets)).toEqual(SAMPLES.map(([, p]) => JSON.parse(packetJson(p))));
    expect(reply.stats).toEqual({ packets: SAMPLES.length, errors: 0 });
  });

  test("XS's device decoder reads every sample a server sends and refuses a CONNECT", () => {
    const samples = xsReplies[CASES.findIndex(([name]) => name === 'device decoder: every sample a server sends, in 7-byte reads')] as { results: { packets: unknown[] }[]; stats: unknown };
    expect(samples.results.flatMap((r) => r.packets)).toEqual(SERVER_SAMPLES.map(([, p]) => JSON.parse(packetJson(p))));
    const connect = xsReplies[CASES.findIndex(([name]) => name === 'device decoder: a CONNECT from a server is refused')] as { results: { error?: string }[] };
    expect(connect.results).toEqual([{ ok: false, packets: [], error: 'a server does not send CONNECT (MQTT 3.1.1 §2.2.1 Table 2.1: client to server only)' }]);
  });
});
