import * as dgram from 'node:dgram';
import {
  buildReply,
  buildRequest,
  computeOffset,
  msToNtp,
  ntpToMs,
  parsePacket,
  transmitTimestamp,
  validateReply,
} from '../../protocol/sntp/packet';
import { querySntp, SntpError } from '../../protocol/sntp/sntp';
import { NodeNetwork } from '../../sim/net/node-network.node';
import { RealtimeClock } from './support/realtime-clock';

const NTP_UNIX_OFFSET = 2_208_988_800;
const ERA = 2 ** 32;

describe('NTP timestamps and eras (RFC 4330 §3)', () => {
  test('2024-01-01T00:00:00Z is 3913056000 seconds after 1900', () => {
    expect(msToNtp(Date.UTC(2024, 0, 1))).toEqual({ seconds: 3_913_056_000, fraction: 0 });
    expect(ntpToMs({ seconds: 3_913_056_000, fraction: 0 })).toBe(Date.UTC(2024, 0, 1));
  });

  test('half a second is fraction 2^31', () => {
    expect(msToNtp(Date.UTC(2024, 0, 1) + 500)).toEqual({ seconds: 3_913_056_000, fraction: 2 ** 31 });
    expect(ntpToMs({ seconds: 3_913_056_000, fraction: 2 ** 31 })).toBe(Date.UTC(2024, 0, 1) + 500);
  });

  test('the seconds counter wraps to era 1 at 2036-02-07T06:28:16Z', () => {
    const rollover = Date.UTC(2036, 1, 7, 6, 28, 16);
    expect(msToNtp(rollover - 1000)).toEqual({ seconds: ERA - 1, fraction: 0 });
    expect(msToNtp(rollover)).toEqual({ seconds: 0, fraction: 0 });
    expect(ntpToMs({ seconds: 0, fraction: 0 })).toBe(rollover);
    expect(ntpToMs({ seconds: ERA - 1, fraction: 0 })).toBe(rollover - 1000);
  });

  test('without a pivot, MSB set means 1968–2036 and clear means 2036–2104', () => {
    expect(new Date(ntpToMs({ seconds: 2 ** 31, fraction: 0 })).toISOString()).toBe('1968-01-20T03:14:08.000Z');
    expect(new Date(ntpToMs({ seconds: 2 ** 31 - 1, fraction: 0 })).toISOString()).toBe('2104-02-26T09:42:23.000Z');
  });

  test('with a pivot, the era closest to it wins', () => {
    const t = Date.UTC(2100, 0, 1);
    const ts = msToNtp(t);
    expect(ntpToMs(ts, Date.UTC(2099, 0, 1))).toBe(t);
    expect(ntpToMs(msToNtp(Date.UTC(1970, 0, 1)), Date.UTC(1975, 0, 1))).toBe(0);
    expect(ntpToMs({ seconds: 10, fraction: 0 }, Date.UTC(2040, 0, 1))).toBe((ERA + 10 - NTP_UNIX_OFFSET) * 1000);
    expect(ntpToMs({ seconds: 10, fraction: 0 }, Date.UTC(2160, 0, 1))).toBe((2 * ERA + 10 - NTP_UNIX_OFFSET) * 1000);
  });
});

describe('SNTP packets', () => {
  test('a client request is LI 0, VN 4, mode 3 with only the transmit timestamp set', () => {
    const t1 = Date.UTC(2024, 4, 14, 7, 30, 15, 250);
    const p = buildRequest(t1);
    expect(p.length).toBe(48);
    expect(p[0]).toBe(0x23);
    expect(p.subarray(1, 40).every((b) => b === 0)).toBe(true);
    expect(transmitTimestamp(p)).toEqual(msToNtp(t1));
  });

  test('offset and delay from the four timestamps', () => {
    expect(computeOffset(0, 110, 120, 30)).toEqual({ offsetMs: 100, delayMs: 20 });
    expect(computeOffset(1000, 500, 501, 1003)).toEqual({ offsetMs: -501, delayMs: 2 });
  });

  test('a reply decodes field by field', () => {
    const request = buildRequest(Date.UTC(2024, 0, 1));
    const reply = buildReply({ stratum: 2, referenceId: [192, 0, 2, 1], originate: transmitTimestamp(request), receiveMs: Date.UTC(2024, 0, 1, 0, 0, 1), transmitMs: Date.UTC(2024, 0, 1, 0, 0, 1, 500), rootDelayMs: 500, rootDispersionMs: 250 });
    const parsed = parsePacket(reply);
    expect(parsed).toMatchObject({ ok: true, value: { leap: 0, version: 4, mode: 4, stratum: 2, referenceId: '192.0.2.1', rootDelayMs: 500, rootDispersionMs: 250, precision: -20 } });
    expect(parsed.ok && validateReply(parsed.value, request).ok).toBe(true);
  });

  test('a short packet is an error', () => {
    expect(parsePacket(new Uint8Array(47))).toEqual({ ok: false, error: 'packet of 47 bytes, expected at least 48' });
  });

  test.each([
    [{ stratum: 0, referenceId: 'RATE' }, "kiss-o'-death RATE"],
    [{ stratum: 16 }, 'stratum 16: server not synchronized'],
    [{ stratum: 2, leap: 3 }, 'leap indicator 3: server clock not synchronized'],
    [{ stratum: 2, mode: 3 }, 'mode 3, expected 4 (server)'],
    [{ stratum: 2, version: 2 }, 'unsupported version 2'],
    [{ stratum: 2, transmitMs: -NTP_UNIX_OFFSET * 1000 }, 'transmit timestamp is zero'],
  ])('reply %j is refused: %s', (fields, error) => {
    const request = buildRequest(Date.UTC(2024, 0, 1));
    const reply = parsePacket(buildReply({ receiveMs: Date.UTC(2024, 0, 1), transmitMs: Date.UTC(2024, 0, 1), originate: transmitTimestamp(request), ...fields }));
    expect(reply.ok && validateReply(reply.value, request)).toMatchObject({ ok: false, error });
  });

  test('a reply whose originate timestamp is not our request is refused', () => {
    const request = buildRequest(Date.UTC(2024, 0, 1));
    const reply = parsePacket(buildReply({ stratum: 1, referenceId: 'GPS', originate: msToNtp(Date.UTC(2023, 0, 1)), receiveMs: 1, transmitMs: 2 }));
    expect(reply.ok && validateReply(reply.value, request)).toMatchObject({ ok: false, error: expect.stringContaining('originate') });
  });
});

/** What the test server does with one request. */
interface Behaviour {
  /** Server clock minus wall clock. */
  offsetMs?: number;
  stratum?: number;
  leap?: number;
  mode?: number;
  kiss?: string;
  /** Send these raw datagrams first. */
  before?: (request: Buffer) => Buffer[];
  /** Send the first datagram from another socket (a spoofing host). */
  spoof?: boolean;
  silent?: boolean;
}

/**
 * A real UDP NTP server on 127.0.0.1. Its packets are encoded here byte by byte (RFC 4330 §4),
 * independently of protocol/sntp, so the client is checked against the format, not itself.
 */
class TestNtpServer {
  private readonly socket = dgram.createSocket('udp4');
  private readonly other = dgram.createSocket('udp4');
  behaviour: Behaviour = {};
  requests = 0;

  async start(): Promise<number> {
    this.socket.on('message', (msg, rinfo) => this.answer(msg, rinfo));
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => this.other.bind(0, '127.0.0.1', resolve));
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return Promise.all([new Promise<void>((r) => this.socket.close(() => r())), new Promise<void>((r) => this.other.close(() => r()))]).then(() => undefined);
  }

  private answer(request: Buffer, rinfo: dgram.RemoteInfo): void {
    this.requests++;
    const b = this.behaviour;
    if (b.silent) return;
    const extra = b.before?.(request) ?? [];
    for (const d of extra) (b.spoof ? this.other : this.socket).send(d, rinfo.port, rinfo.address);
    const now = Date.now() + (b.offsetMs ?? 0);
    const reply = Buffer.alloc(48);
    reply[0] = ((b.leap ?? 0) << 6) | (4 << 3) | (b.mode ?? 4);
    reply[1] = b.kiss !== undefined ? 0 : b.stratum ?? 2;
    reply[2] = 6;
    reply[3] = 0xe9;
    reply.writeUInt32BE(0x0000_0800, 4);
    reply.writeUInt32BE(0x0000_0400, 8);
    if (b.kiss !== undefined) reply.write(b.kiss.padEnd(4, '\0'), 12, 'latin1');
    else reply.set([192, 0, 2, 123], 12);
    const stamp = (at: number, ms: number): void => {
      const seconds = Math.floor(ms / 1000) + NTP_UNIX_OFFSET;
      reply.writeUInt32BE(seconds % ERA, at);
      reply.writeUInt32BE(Math.floor(((ms % 1000) / 1000) * ERA), at + 4);
    };
    stamp(16, now - 60_000);
    request.copy(reply, 24, 40, 48);
    stamp(32, now);
    stamp(40, now + 1);
    setTimeout(() => this.socket.send(reply, rinfo.port, rinfo.address), 2);
  }
}

describe('querySntp over a real UDP socket', () => {
  const server = new TestNtpServer();
  const network = new NodeNetwork({ hosts: { 'ntp.test': '127.0.0.1' } });
  let port: number;
  let clock: RealtimeClock;

  beforeAll(async () => {
    port = await server.start();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    clock = new RealtimeClock();
    server.behaviour = {};
  });
  afterEach(() => expect(clock.pending).toBe(0));

  test('measures a server one hour ahead of the RTC', async () => {
    server.behaviour = { offsetMs: 3_600_000 };
    const r = await querySntp(network, clock, '127.0.0.1', port, 2000);
    expect(r.offsetMs).toBeGreaterThan(3_600_000 - 100);
    expect(r.offsetMs).toBeLessThan(3_600_000 + 100);
    expect(r.driftMs).toBe(-r.offsetMs);
    expect(Math.abs(r.utcMs - (Date.now() + 3_600_000))).toBeLessThan(100);
    expect(r.delayMs).toBeGreaterThanOrEqual(0);
    expect(r.delayMs).toBeLessThan(100);
    expect(r).toMatchObject({ stratum: 2, referenceId: '192.0.2.123', address: '127.0.0.1' });
  });

  test('reports an RTC running 42 s ahead as a positive drift', async () => {
    clock.set(Date.now() + 42_000);
    const r = await querySntp(network, clock, 'ntp.test', port, 2000);
    expect(Math.abs(r.driftMs - 42_000)).toBeLessThan(100);
    expect(Math.abs(r.utcMs - Date.now())).toBeLessThan(100);
  });

  test('an RTC reset to 1970 still gets the right time', async () => {
    clock.set(0);
    const r = await querySntp(network, clock, '127.0.0.1', port, 2000);
    expect(Math.abs(r.utcMs - Date.now())).toBeLessThan(100);
  });

  test('works across the 2036 era boundary (server and RTC in 2040)', async () => {
    const in2040 = Date.UTC(2040, 5, 1);
    server.behaviour = { offsetMs: in2040 - Date.now() };
    clock.set(in2040 - 5000);
    const r = await querySntp(network, clock, '127.0.0.1', port, 2000);
    expect(Math.abs(r.offsetMs - 5000)).toBeLessThan(100);
    expect(new Date(r.utcMs).getUTCFullYear()).toBe(2040);
  });

  test("a kiss-o'-death rejects with its code", async () => {
    server.behaviour = { kiss: 'RATE' };
    const error = await querySntp(network, clock, '127.0.0.1', port, 2000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SntpError);
    expect(error).toMatchObject({ kind: 'kiss', kiss: 'RATE' });
  });

  test.each([
    [{ stratum: 16 }, 'stratum 16'],
    [{ leap: 3 }, 'leap indicator 3'],
    [{ mode: 3 }, 'mode 3'],
  ])('an unusable reply %j rejects: %s', async (behaviour, text) => {
    server.behaviour = behaviour;
    await expect(querySntp(network, clock, '127.0.0.1', port, 2000)).rejects.toMatchObject({ kind: 'rejected', message: expect.stringContaining(text) });
  });

  test('stale, truncated and spoofed datagrams are ignored until the real reply', async () => {
    server.behaviour = {
      before: (request) => {
        const stale = Buffer.alloc(48);
        stale[0] = 0x24;
        stale[1] = 1;
        stale.writeUInt32BE(3_900_000_000, 24);
        stale.writeUInt32BE(3_900_000_000, 40);
        stale.writeUInt32BE(3_900_000_000, 32);
        return [stale, request.subarray(0, 20)];
      },
    };
    const r = await querySntp(network, clock, '127.0.0.1', port, 2000);
    expect(Math.abs(r.offsetMs)).toBeLessThan(100);

    server.behaviour = { offsetMs: 7000, spoof: true, before: (request) => [Buffer.from(request)] };
    const spoofed = await querySntp(network, clock, '127.0.0.1', port, 2000);
    expect(Math.abs(spoofed.offsetMs - 7000)).toBeLessThan(100);
  });

  test('no answer times out on the injected clock', async () => {
    server.behaviour = { silent: true };
    const started = Date.now();
    const error = await querySntp(network, clock, '127.0.0.1', port, 300).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('an unknown server name fails with kind network', async () => {
    await expect(querySntp(network, clock, 'no-such-host.invalid', port, 2000)).rejects.toMatchObject({ kind: 'network' });
  });
});
