import { stripBlocks } from '../../protocol/wmbus/blocks';
import { parseHeader } from '../../protocol/wmbus/header';
import type { WmbusHeader } from '../../protocol/wmbus/types';
import { CorpusEntry, bytes, hex, loadCorpus } from './corpus';

const corpus = loadCorpus();

function storedFrame(e: CorpusEntry): Uint8Array {
  const onAir = bytes(e.telegram_hex);
  if (!e.dll_crc_present) return onAir;
  const r = stripBlocks(onAir, e.frame_format!);
  if (!r.ok) throw new Error('corpus CRC frame does not verify');
  return r.frame;
}

/** Only ELL ciphertext hides the TPL: most ELL-encrypted corpus telegrams are stored already decrypted. */
function readsBehindEll(e: CorpusEntry): boolean {
  return !(e.ell?.sn_enc_bits === 1 && e.payload_encrypted_in_corpus === true);
}

function header(e: CorpusEntry): WmbusHeader {
  const r = parseHeader(storedFrame(e), { ellPlaintext: readsBehindEll(e) });
  if (!r.ok) throw new Error(`header error ${r.error}`);
  return r.header;
}

const byte = (h: string): number => parseInt(h, 16);
const named = (entries: CorpusEntry[]) => entries.map((e) => [e.telegram_hex.slice(0, 24), e] as const);

const TPL_KIND = { short: 'short', long: 'long', none: 'none', mfct_specific_ci: 'mfct' } as const;

describe('wM-Bus headers of the 352 corpus telegrams', () => {
  test('the corpus has 352 telegrams', () => {
    expect(corpus.length).toBe(352);
  });

  test.each(named(corpus))('%s… DLL manufacturer, id, version and device type', (_h, e) => {
    const a = header(e).link.address;
    expect([a.manufacturer, a.id, a.version, a.deviceType]).toEqual([
      e.manufacturer,
      e.dll_id.toLowerCase(),
      byte(e.version),
      byte(e.device_type),
    ]);
    expect(a.mField).toBe(byte(e.m_field_hex));
  });

  test.each(named(corpus))('%s… reports the id wmbusmeters expects, from the address id_source names', (_h, e) => {
    const h = header(e);
    const source = { dll: h.link.address, tpl: h.tpl?.address, apl_0779_enhanced_id_record: h.enhancedId }[e.id_source];
    expect(source?.id).toBe(e.expected_id.toLowerCase());
    expect(h.meter.id).toBe(e.expected_id.toLowerCase());
  });

  test.each(named(corpus.filter(readsBehindEll)))('%s… TPL CI, header kind and security mode', (_h, e) => {
    const h = header(e);
    expect(h.tpl?.ci).toBe(e.tpl_ci === null ? undefined : byte(e.tpl_ci));
    expect(h.tpl?.kind).toBe(TPL_KIND[e.tpl_header]);
    expect(h.securityMode).toBe(e.security_mode);
  });

  test.each(named(corpus.filter((e) => e.tpl_acc != null)))('%s… short/long header ACC, STS and CFG', (_h, e) => {
    const tpl = header(e).tpl!;
    expect([tpl.acc, tpl.status, tpl.cfg]).toEqual([byte(e.tpl_acc!), byte(e.tpl_sts!), byte(e.tpl_cfg!)]);
  });

  test.each(named(corpus.filter((e) => e.tpl_long_address != null)))('%s… long header address', (_h, e) => {
    const a = header(e).tpl!.address!;
    const x = e.tpl_long_address!;
    expect([a.manufacturer, a.id, a.version, a.deviceType]).toEqual([x.manufacturer, x.id.toLowerCase(), byte(x.version), byte(x.device_type)]);
  });

  test.each(named(corpus.filter((e) => e.ell != null)))('%s… ELL CI, CC, ACC and session number', (_h, e) => {
    const ell = header(e).ell!;
    const x = e.ell!;
    expect([ell.ci, ell.cc, ell.acc]).toEqual([byte(x.ci), byte(x.cc), byte(x.acc)]);
    if (x.sn_hex !== undefined) {
      expect(ell.sessionNumber).toBe(Buffer.from(x.sn_hex, 'hex').readUInt32LE(0));
      expect(ell.snEncryption).toBe(x.sn_enc_bits);
    }
  });

  test.each(named(corpus.filter((e) => e.afl != null)))('%s… AFL FCL, MCL, counter and MAC', (_h, e) => {
    const afl = header(e).afl!;
    const x = e.afl!;
    expect([afl.fcl, afl.mcl, afl.messageCounter, hex(afl.mac!)]).toEqual([
      byte(x.fc),
      byte(x.mcl),
      Buffer.from(x.counter_hex, 'hex').readUInt32LE(0),
      x.mac_hex.toLowerCase(),
    ]);
  });

  test.each(named(corpus.filter((e) => e.diehl_address_transform !== undefined)))(
    '%s… Diehl-family A-field is rewritten the way the corpus says',
    (_h, e) => {
      expect(header(e).link.diehl).toBe(e.diehl_address_transform === 'SWAPPING' ? 'swapping' : 'sapPrios');
    },
  );

  test('no other telegram gets a Diehl rewrite', () => {
    const others = corpus.filter((e) => e.diehl_address_transform === undefined);
    expect(others.filter((e) => header(e).link.diehl !== 'none')).toEqual([]);
  });

  test.each(named(corpus.filter((e) => e.apl_0779_enhanced_id !== undefined)))('%s… APL 07 79 enhanced id', (_h, e) => {
    const a = header(e).enhancedId!;
    const x = e.apl_0779_enhanced_id!;
    expect([a.manufacturer, a.id, a.version, a.deviceType]).toEqual([x.manufacturer, x.id.toLowerCase(), byte(x.version), byte(x.device_type)]);
  });
});

describe('header parsing rules', () => {
  const longFrame = bytes('7644c5145528502202077320248622c5140007700060255f2aa2967eb77d0bf310341e3636d9acc17cc5d69ce5');

  test('the filter identity comes from the long TPL header by default', () => {
    const h = parseHeader(longFrame);
    expect(h.ok && [h.header.identitySource, hex(h.header.identity)]).toEqual(['tpl', 'c5142024862200' + '07']);
  });

  test('with longHeader false the filter identity is the DLL M-field and A-field as on air', () => {
    const h = parseHeader(longFrame, { longHeader: false });
    expect(h.ok && [h.header.identitySource, hex(h.header.identity)]).toEqual(['dll', 'c514552850220207']);
  });

  test('the Diehl identity stays as sent on air (no rewrite)', () => {
    const frame = bytes('1e4424238b07797389607a8f00107d041312170100426cbf23441344100100');
    const h = parseHeader(frame);
    expect(h.ok && [h.header.link.address.id, hex(h.header.identity)]).toEqual(['60897379', '24238b0779738960']);
  });

  test('an encrypting ELL hides everything after the session number', () => {
    const e = corpus.find((x) => !readsBehindEll(x))!;
    const h = parseHeader(bytes(e.telegram_hex));
    expect(h.ok && [h.header.tpl, h.header.ell?.payloadCrc, h.header.securityMode]).toEqual([undefined, undefined, null]);
  });

  test('a frame shorter than the 10-byte DLL is a length error', () => {
    expect(parseHeader(bytes('0944ee4d78563412'))).toEqual({ ok: false, error: 'length' });
  });

  test('a short header cut off after its CI is a truncated error that keeps the link layer', () => {
    const r = parseHeader(bytes('0c44ee4d785634123c077a01'));
    expect(r).toMatchObject({ ok: false, error: 'truncated', link: { c: 0x44, address: { manufacturer: 'SON', id: '12345678', version: 0x3c, deviceType: 0x07 } } });
  });

  test('a DLL-only frame has no TPL and its payload starts at the end', () => {
    const h = parseHeader(bytes('0944ee4d785634123c07'));
    expect(h.ok && [h.header.tpl, h.header.payloadOffset, h.header.securityMode]).toEqual([undefined, 10, null]);
  });

  test('every truncation of every corpus frame parses or fails cleanly, never throws', () => {
    let failures = 0;
    for (const e of corpus) {
      const frame = storedFrame(e);
      for (let n = 0; n <= Math.min(frame.length, 48); n++) {
        const r = parseHeader(frame.subarray(0, n));
        if (!r.ok) failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});
