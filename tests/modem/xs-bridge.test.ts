import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { NetOp, decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../sim/net/net-codec';
import type { HostSocketEvent } from '../../sim/net/types';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);

describe('net channel codec', () => {
  test('requests survive encoding, TLS options and datagram addresses included', () => {
    const ca = Uint8Array.of(0x30, 0x82, 0x00, 0xff);
    const requests = [
      { op: NetOp.OpenStream, request: { host: '127.0.0.1', port: 21 } },
      { op: NetOp.OpenStream, request: { host: 'ftp.example', port: 990, tls: { verify: true, serverName: 'ftp.example', ca } } },
      { op: NetOp.OpenStream, request: { host: '10.0.0.1', port: 443, tls: { verify: false } } },
      { op: NetOp.OpenDatagram },
      { op: NetOp.Resolve, host: 'pool.ntp.org' },
      { op: NetOp.Send, id: 7, bytes: Uint8Array.of(0, 13, 10, 255) },
      { op: NetOp.Send, id: 8, bytes: new Uint8Array(48), address: '192.0.2.1', port: 123 },
      { op: NetOp.Close, id: 70000 },
      { op: NetOp.Settle },
      { op: NetOp.CloseAll },
    ] as const;
    for (const r of requests) expect(decodeRequest(encodeRequest(r))).toEqual(r);
  });

  test('settle answers carry every event kind in order', () => {
    const events: HostSocketEvent[] = [
      { type: 'open', id: 1 },
      { type: 'data', id: 1, bytes: Uint8Array.of(50, 50, 48, 13, 10) },
      { type: 'data', id: 2, bytes: Uint8Array.of(1), address: '127.0.0.1', port: 40000 },
      { type: 'end', id: 1 },
      { type: 'error', id: 3, message: 'connect ECONNREFUSED 127.0.0.1:9' },
      { type: 'resolved', id: 4, address: '127.0.0.1' },
      { type: 'resolved', id: 5, error: 'ENOTFOUND' },
    ];
    expect(decodeResponse(encodeResponse({ busy: true, open: 2, events }), false, true)).toEqual({ busy: true, open: 2, events });
    expect(decodeResponse(encodeResponse({ busy: false, open: 0, id: 9 }), true, false)).toEqual({ busy: false, open: 0, id: 9 });
  });

  test('a truncated message is refused', () => {
    const bytes = encodeRequest({ op: NetOp.Send, id: 1, bytes: new Uint8Array(10) });
    expect(() => decodeRequest(bytes.subarray(0, bytes.length - 3))).toThrow(RangeError);
  });
});

test('inside XS: the driver on the emulator echoes over TCP, TLS and UDP through the host bridge', async () => {
  const { stdout } = await run(TSX, ['--tsconfig', 'tsconfig.host.json', 'tests/modem/xs/run.node.ts'], { cwd: ROOT, maxBuffer: 1 << 20 });
  const report = JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
  expect(report).toMatchObject({ technology: 'LTE-M', quality: { rssi: -60, rsrp: -85, rsrq: -10, sinr: 8 }, tcp: true, tls: true, udp: true, garbage: 0 });
}, 120_000);
