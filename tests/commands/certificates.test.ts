/** §5.6.12 certificate / §5.6.13 certClean storage for the TLS of FTPS. */
import { CertificateStore, MAX_CERTIFICATE_BYTES } from '../../tasks/certificates/store';
import { EVENTS, EventDef } from '../../tasks/log/events';
import { SimFiles } from '../../sim/drivers/files';

const PEM = new Uint8Array(Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 'latin1'));
const DER = Uint8Array.of(0x30, 0x82, 0x01, 0x0a, 0x02, 0x01);

function setup(capacity = 1 << 16): { certs: CertificateStore; files: SimFiles; events: [EventDef, string | undefined][] } {
  const files = new SimFiles(new Map(), capacity);
  const events: [EventDef, string | undefined][] = [];
  return { certs: new CertificateStore(files, { record: (e, d) => (events.push([e, d]), true) }), files, events };
}

test('a PEM or DER certificate is kept under its name and read back', () => {
  const { certs, events } = setup();
  expect(certs.add('cert.pem', PEM)).toEqual({ ok: true });
  expect(certs.add('ca.der', DER)).toEqual({ ok: true });
  expect(certs.list()).toEqual(['ca.der', 'cert.pem']);
  expect(certs.read('cert.pem')).toEqual(PEM);
  expect(events).toEqual([
    [EVENTS.certificateStored, 'cert.pem'],
    [EVENTS.certificateStored, 'ca.der'],
  ]);
});

test('adding a certificate of the same name replaces it', () => {
  const { certs } = setup();
  certs.add('cert.pem', PEM);
  certs.add('cert.pem', DER);
  expect(certs.list()).toEqual(['cert.pem']);
  expect(certs.read('cert.pem')).toEqual(DER);
});

test.each<[string, string, Uint8Array]>([
  ['empty', 'a.pem', new Uint8Array(0)],
  ['neither PEM nor DER', 'a.pem', new Uint8Array(Buffer.from('hello'))],
  ['too large', 'a.pem', new Uint8Array(MAX_CERTIFICATE_BYTES + 1).fill(0x30)],
  ['a path', '../a.pem', PEM],
])('%s is refused', (_why, name, bytes) => {
  const { certs } = setup();
  expect(certs.add(name, bytes).ok).toBe(false);
  expect(certs.list()).toEqual([]);
});

test('a full FileStore is reported, not thrown', () => {
  const { certs } = setup(100);
  const result = certs.add('big.pem', new Uint8Array(Buffer.from('-----BEGIN ' + 'x'.repeat(200), 'latin1')));
  expect(result.ok).toBe(false);
});

test('certClean deletes every certificate and nothing else', () => {
  const { certs, files } = setup();
  certs.add('a.pem', PEM);
  certs.add('b.der', DER);
  files.write('123456-1591083697-ack.bson', Uint8Array.of(5, 0, 0, 0, 0));
  expect(certs.clear()).toBe(2);
  expect(certs.list()).toEqual([]);
  expect(files.list()).toEqual(['123456-1591083697-ack.bson']);
});
