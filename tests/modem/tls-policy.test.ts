/** `tlsOptionsFor` under `security.tlsVerify`, and the BG95's handshake-failure report (issue 13 item 8). */
import { parseQsslopen } from '../../protocol/at/responses';
import { parseUrc } from '../../protocol/at/urc';
import { EVENTS, type EventDef, type EventRecorder } from '../../tasks/log/events';
import { TLS_CA_REQUIRED_MESSAGE, tlsOptionsFor } from '../../tasks/modem/tls';
import { adviceFor } from '../../tasks/modem/policy';
import type { CertificateKeeper } from '../../tasks/modem/types';

const PEM_A = new Uint8Array(Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'));
const PEM_B = new Uint8Array(Buffer.from('-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----'));

function keeper(certs: Record<string, Uint8Array>): CertificateKeeper {
  return {
    add: () => ({ ok: true }),
    list: () => Object.keys(certs),
    read: (n) => certs[n],
    clear: () => 0,
  };
}

class Recorded implements EventRecorder {
  readonly events: { event: EventDef; data?: string }[] = [];
  record(event: EventDef, data?: string): boolean {
    this.events.push({ event, ...(data !== undefined ? { data } : {}) });
    return true;
  }
}

test('auto with a CA stored verifies against it, with the host name as SNI, and logs nothing', () => {
  const log = new Recorded();
  expect(tlsOptionsFor('ftp.example.com', keeper({ a: PEM_A }), 'auto', log)).toEqual({ serverName: 'ftp.example.com', ca: PEM_A });
  expect(log.events).toEqual([]);
});

test('several stored CAs are chained into one bundle', () => {
  const ca = tlsOptionsFor('10.0.0.1', keeper({ a: PEM_A, b: PEM_B }), 'auto').ca as Uint8Array;
  expect(Buffer.from(ca).toString()).toBe(`${Buffer.from(PEM_A).toString()}\n${Buffer.from(PEM_B).toString()}\n`);
});

test('auto with no CA stored connects unverified and logs a tlsUnverified warning with the host', () => {
  const log = new Recorded();
  expect(tlsOptionsFor('10.0.0.1', keeper({}), 'auto', log)).toEqual({});
  expect(log.events).toEqual([{ event: EVENTS.tlsUnverified, data: '10.0.0.1 (no CA stored)' }]);
  expect(EVENTS.tlsUnverified.level).toBe(1);
});

test('required with no CA stored throws the configuration error the retry policy schedules', () => {
  const log = new Recorded();
  let thrown: unknown;
  try {
    tlsOptionsFor('broker.example.com', keeper({}), 'required', log);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as Error).message).toBe(TLS_CA_REQUIRED_MESSAGE);
  expect(adviceFor(thrown)).toBe('schedule');
  expect(log.events).toEqual([]);
});

test('off ignores a stored CA and logs the warning', () => {
  const log = new Recorded();
  expect(tlsOptionsFor('broker.example.com', keeper({ a: PEM_A }), 'off', log)).toEqual({ serverName: 'broker.example.com' });
  expect(log.events).toEqual([{ event: EVENTS.tlsUnverified, data: 'broker.example.com (security.tlsVerify off)' }]);
});

test('+QSSLOPEN: <id>,-1 (handshake failed) parses; +QIOPEN keeps refusing a negative code', () => {
  expect(parseUrc('+QSSLOPEN: 2,-1')).toEqual({ ok: true, value: { type: 'open', service: 'ssl', connectId: 2, error: -1 } });
  expect(parseUrc('+QIOPEN: 2,-1')?.ok).toBe(false);
  expect(parseQsslopen('+QSSLOPEN: 2,-1')).toMatchObject({ ok: true, value: { connectId: 2, error: -1 } });
});
