/**
 * Lansen gateway MQTT packets (Lansen wM-Bus B4 gateway MQTT manual): the manual's complete example
 * packet as the test vector, real corpus telegrams wrapped and unwrapped, the type I date, the
 * status and ready packets.
 */
import { encodeContainer, encodeReady, encodeStatus, encodeTypeI, gatewaySerial, lansenTopics, typeIFromUtc, type LansenStatus } from '../../protocol/mqtt/lansen';
import { decodeContainer, decodeReady, decodeStatus, decodeTypeI, typeIToUtc } from '../../protocol/mqtt/lansen-decode';
import { fromHex, toHex } from '../../protocol/text/utf8';
import { bytes, loadCorpus } from '../wmbus/corpus';

/** Lansen MQTT manual, "MQTT traffic": the example PUBLISH, MQTT header (topic LAS/W/D/00046153) removed. */
const MANUAL_PACKET = fromHex(
  '68 88 88 68 08 FD 72 97 42 04 00 33 30 0B 32 58 00 00 00 0C 78 53 61 04 00 06 6D 58 84 95 DE 26 5B 01 FD 71 A3 ' +
    '8C 40 78 97 42 04 00 81 40 FD F1 94 74 00 0D FD 3B 55 54 44 33 30 97 42 04 00 0B 32 7A C4 00 00 40 2F 2F ' +
    '04 FD 3A D3 C4 00 00 82 40 FD 3A 1E 01 02 FD 0F 95 00 81 80 40 FD 3A 00 84 C0 40 FD 3A A6 99 00 00 42 FD 3A 19 00 82 01 FD 3A 87 05 C1 01 ' +
    'FD 3A 7F 82 02 FD 3A E0 01 06 6D 1A 04 95 DE 26 00 02 FD 46 0B 0D B2 16',
) as Uint8Array;
/** The manual's MQTT header before the packet: PUBLISH QoS 0, remaining length 160, topic length 16. */
const MANUAL_TOPIC_BYTES = fromHex('4C 41 53 2F 57 2F 44 2F 30 30 30 34 36 31 35 33') as Uint8Array;
const MANUAL_TELEGRAM = MANUAL_PACKET.subarray(55, MANUAL_PACKET.length - 2);

function decoded(packet: Uint8Array) {
  const d = decodeContainer(packet);
  if (!d.ok) throw new Error(d.error);
  return d;
}

/** The packet with its checksum recomputed (sum of C-field to the last data byte, mod 256), after an edit. */
function withChecksum(packet: Uint8Array): Uint8Array {
  let sum = 0;
  for (let i = 4; i < packet.length - 2; i++) sum += packet[i];
  packet[packet.length - 2] = sum & 0xff;
  return packet;
}

/** 2000-01-01 00:01:02 UTC, the manual's DR1 example. */
const MANUAL_DR1_TIME = 946684862;

function kamTelegram(): Uint8Array {
  const e = loadCorpus().find((x) => x.manufacturer === 'KAM' && x.expected_id === '76348799' && !x.dll_crc_present);
  if (e === undefined) throw new Error('corpus entry missing');
  return bytes(e.telegram_hex);
}

describe('gateway serial and topics', () => {
  test('the gateway serial is the last 8 decimal digits of the uid, zero-padded', () => {
    expect(gatewaySerial('WE_000123')).toBe('00000123');
    expect(gatewaySerial('WE-2024-123456789')).toBe('23456789');
    expect(gatewaySerial('gateway')).toBe('00000000');
  });

  test('topics are LAS/W/D, C, R and I followed by the serial', () => {
    expect(lansenTopics('00046153')).toEqual({ data: 'LAS/W/D/00046153', config: 'LAS/W/C/00046153', response: 'LAS/W/R/00046153', ready: 'LAS/W/I/00046153' });
    expect(toHex(new TextEncoder().encode(lansenTopics('00046153').data))).toBe(toHex(MANUAL_TOPIC_BYTES));
  });
});

describe("the manual's example data packet", () => {
  test('decodes to gateway 00046153, the topic serial', () => {
    expect(decoded(MANUAL_PACKET).serial).toBe('00046153');
  });

  test('its transport header holds the contained telegram meter address, access 0x58, status and configuration 0', () => {
    const d = decoded(MANUAL_PACKET);
    expect(d.meter).toEqual({ id: '00044297', manufacturer: 'LAS', mField: 0x3033, version: 0x0b, deviceType: 0x32 });
    expect([d.access, d.status, d.configuration]).toEqual([0x58, 0, 0]);
  });

  test('DR1 is 2022-06-30 21:04:24, Thursday, week 27, with the flags the gateway set', () => {
    const d = decoded(MANUAL_PACKET);
    expect(d.receivedAt).toEqual({
      year: 2022, month: 6, day: 30, hour: 21, minute: 4, second: 24, dayOfWeek: 4, week: 27,
      summerTime: true, leapYear: false, invalid: true, dstPositive: false, dstHours: 1,
    });
    expect(d.time).toBe(Date.UTC(2022, 5, 30, 21, 4, 24) / 1000);
  });

  test('DR2 RSSI 0xA3 is -93 dBm', () => {
    expect(decoded(MANUAL_PACKET).rssi).toBe(-93);
  });

  test('DR3 repeater serial is 00044297 and DR4 repeater RSSI 0', () => {
    const d = decoded(MANUAL_PACKET);
    expect(d.repeater).toBe('00044297');
    expect(d.repeaterRssi).toBe(0);
  });

  test('DR5 is the 85-byte telegram, L-field first', () => {
    const d = decoded(MANUAL_PACKET);
    expect(d.telegram.length).toBe(85);
    expect(d.telegram[0]).toBe(0x54);
    expect(toHex(d.telegram)).toBe(toHex(MANUAL_TELEGRAM));
  });

  test('re-encoded from its decoded fields it gives the same bytes', () => {
    const d = decoded(MANUAL_PACKET);
    const again = encodeContainer({ time: d.time as number, rssi: d.rssi, frame: d.telegram }, d.serial, {
      access: d.access,
      status: d.status,
      repeater: d.repeater ?? undefined,
      repeaterRssi: d.repeaterRssi ?? undefined,
      receivedAt: d.receivedAt,
    });
    expect(toHex(again)).toBe(toHex(MANUAL_PACKET));
  });
});

describe('container packet of this product', () => {
  test('a corpus telegram is wrapped with no repeater, the store serial as access number, and unwrapped unchanged', () => {
    const telegram = kamTelegram();
    const packet = encodeContainer({ time: 1767592803, rssi: -71, frame: telegram, serial: 0x1234 }, '00000123');
    const d = decoded(packet);
    expect(d.serial).toBe('00000123');
    expect(d.time).toBe(1767592803);
    expect(d.rssi).toBe(-71);
    expect(toHex(d.telegram)).toBe(toHex(telegram));
    expect(d.repeater).toBeNull();
    expect(d.repeaterRssi).toBeNull();
    expect(d.access).toBe(0x34);
    expect(d.meter).toMatchObject({ id: '76348799', manufacturer: 'KAM', version: 0x1b, deviceType: 0x16 });
  });

  test('the wrapped corpus telegram has the manual layout: 68 L L 68 08 FD 72, DR records, checksum, 16', () => {
    const telegram = kamTelegram();
    const packet = encodeContainer({ time: MANUAL_DR1_TIME, rssi: 118, frame: telegram }, '00000008');
    const l = 51 + telegram.length;
    expect(toHex(packet.subarray(0, 19))).toBe(`68${toHex(Uint8Array.of(l, l))}6808fd72${toHex(telegram.subarray(4, 8))}${toHex(telegram.subarray(2, 4))}1b1600000000`);
    expect(toHex(packet.subarray(19, 55))).toBe('0c7808000000' + '066d0201c0010100' + '01fd7176' + '8c4078ffffffff' + '8140fdf19474ff' + '0dfd3b' + toHex(Uint8Array.of(telegram.length)));
    let sum = 0;
    for (let i = 4; i < packet.length - 2; i++) sum += packet[i];
    expect(packet[packet.length - 2]).toBe(sum & 0xff);
    expect(packet[packet.length - 1]).toBe(0x16);
  });

  test('a packet longer than 255 bytes splits its length over both L-fields', () => {
    const telegram = bytes(loadCorpus().find((e) => e.telegram_hex.length / 2 === 230)!.telegram_hex);
    const packet = encodeContainer({ time: MANUAL_DR1_TIME, rssi: -80, frame: telegram }, '00000001');
    expect(packet[1] + packet[2]).toBe(51 + 230);
    expect(packet[1]).toBe(0xff);
    expect(toHex(decoded(packet).telegram)).toBe(toHex(telegram));
  });

  test('RSSI outside a signed byte is clamped', () => {
    expect(decoded(encodeContainer({ time: MANUAL_DR1_TIME, rssi: -200, frame: kamTelegram() }, '00000001')).rssi).toBe(-128);
  });

  test('a serial that is not 8 digits is refused with a RangeError', () => {
    expect(() => encodeContainer({ time: 0, rssi: 0, frame: kamTelegram() }, 'WE_00012')).toThrow(RangeError);
  });
});

describe('type I date and time (EN 13757-3 Annex A)', () => {
  test('2000-01-01 00:01:02 UTC is 02 01 C0 01 01 00, as in the manual', () => {
    expect(toHex(encodeTypeI(typeIFromUtc(MANUAL_DR1_TIME)))).toBe('0201c0010100');
  });

  test('2026-01-05 06:00:03 UTC (a Monday) is 03 00 26 45 31 00', () => {
    // second 3; minute 0; hour 6 | Monday (1) << 5 = 0x26; day 5 | (26 & 7) << 5 = 0x45; month 1 | (26 >> 3) << 4 = 0x31; week 0.
    expect(toHex(encodeTypeI(typeIFromUtc(1767592803)))).toBe('030026453100');
  });

  test('the fields read back as the same UTC second', () => {
    expect(typeIToUtc(decodeTypeI(encodeTypeI(typeIFromUtc(1767592803))))).toBe(1767592803);
  });

  test('a clock never set (1970) is written as invalid and reads back as no date', () => {
    const t = decodeTypeI(encodeTypeI(typeIFromUtc(5)));
    expect(t.invalid).toBe(true);
    expect(typeIToUtc(t)).toBeNull();
  });
});

describe('container decoding errors', () => {
  test('a wrong checksum is reported', () => {
    const bad = MANUAL_PACKET.slice();
    bad[bad.length - 2] ^= 0x01;
    expect(decodeContainer(bad)).toEqual({ ok: false, error: 'checksum: frame carries 0xb3, bytes sum to 0xb2' });
  });

  test('a changed data byte fails the checksum', () => {
    const bad = MANUAL_PACKET.slice();
    bad[40] ^= 0x10;
    const r = decodeContainer(bad);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^checksum/);
  });

  test('a bad start byte is reported', () => {
    const bad = MANUAL_PACKET.slice();
    bad[0] = 0x10;
    expect(decodeContainer(bad)).toEqual({ ok: false, error: 'bad start: a long frame begins 68 L L 68' });
  });

  test('L-fields that do not match the length are reported', () => {
    const bad = MANUAL_PACKET.slice(0, MANUAL_PACKET.length - 3);
    const r = decodeContainer(bad);
    expect(!r.ok && r.error).toMatch(/^length mismatch/);
  });

  test('a missing DR5 is reported', () => {
    const telegram = kamTelegram();
    const packet = encodeContainer({ time: MANUAL_DR1_TIME, rssi: -70, frame: telegram }, '00000001');
    // Replace VIFE 0x3B by 0x3A (dimensionless): the record is no longer a container; fix the checksum.
    const bad = packet.slice();
    bad[53] = 0x3a;
    expect(decodeContainer(withChecksum(bad))).toEqual({ ok: false, error: 'missing record DR5 wM-Bus telegram (0dfd3b)' });
  });

  test('a DR5 length one past the frame is reported as a truncated record (the 43-byte KAM telegram)', () => {
    const packet = encodeContainer({ time: MANUAL_DR1_TIME, rssi: -70, frame: kamTelegram() }, '00000001');
    const bad = packet.slice();
    bad[54] += 1;
    expect(decodeContainer(withChecksum(bad))).toEqual({ ok: false, error: 'truncated record at byte 51: 44 data bytes announced, 43 left' });
  });

  test('a packet shorter than a long frame is truncated', () => {
    expect(decodeContainer(Uint8Array.of(0x68, 0x00))).toMatchObject({ ok: false, error: expect.stringMatching(/^truncated/) });
  });

  test('a status packet is not a data packet', () => {
    expect(decodeContainer(encodeReady('00000001'))).toEqual({ ok: false, error: 'C-field 0x44, expected 0x08' });
  });
});

/** The manual's status packet example values. */
const MANUAL_STATUS: LansenStatus = {
  packetsSent: 65793,
  whitelistSize: 521,
  firmwareVersion: 120,
  listening: true,
  time: MANUAL_DR1_TIME,
  batteryMv: 3600,
  imei: '012345678901234',
  iccid: '01234567890123456789',
  modemRssi: -71,
  hardwareModel: 1,
  hardwareVersion: 1,
  uptimeDays: 2051,
  modemOnSeconds: 9173511,
  radioListenSeconds: 9173511,
  ntpRetries: 5,
  lowBattery: true,
};

describe('status packet', () => {
  test("the manual's example values give the manual's record bytes, DR5-DR9 and DR20-DR22 left out", () => {
    const packet = encodeStatus(MANUAL_STATUS, '00000008', { access: 1 });
    expect(toHex(packet.subarray(4, 19))).toBe('44fd72' + '08000000' + '3330' + '0a31' + '01' + '04' + '0000');
    expect(toHex(packet.subarray(19, packet.length - 2))).toBe(
      '0c7808000000' +
        '04fd3a01010100' + '8240fd3a0902' + '02fd0f7800' + '818040fd3a01' + '066d0201c0010100' + '02fd46100e' +
        'cd02fd3a0f' + '343332313039383736353433323130' +
        '8d03fd3a14' + '3938373635343332313039383736353433323130' +
        '01fd71b9' + '01fd0c01' + '01fd0d01' + '02230308' + '042407fa8b00' + '84402407fa8b00' + '8205fd3a0500',
    );
  });

  test('decodes back to the same values', () => {
    const d = decodeStatus(encodeStatus(MANUAL_STATUS, '00000008', { access: 7 }));
    expect(d.ok && d.status).toEqual(MANUAL_STATUS);
    expect(d.ok && [d.serial, d.access, d.gateway.manufacturer]).toEqual(['00000008', 7, 'LAS']);
  });

  test('optional records left undefined are left out', () => {
    const minimal: LansenStatus = { packetsSent: 3, whitelistSize: 0, firmwareVersion: 0x0102, listening: false, time: 1767592803, batteryMv: 3412, uptimeDays: 2, modemOnSeconds: 95, radioListenSeconds: 7200, lowBattery: false };
    const packet = encodeStatus(minimal, '00000123');
    expect(packet.length).toBe(6 + 15 + 6 + 7 + 6 + 5 + 6 + 8 + 5 + 4 + 6 + 7);
    const d = decodeStatus(packet);
    expect(d.ok && d.status).toEqual(minimal);
  });

  test('a status packet whose DR1 is missing is refused', () => {
    const packet = encodeStatus(MANUAL_STATUS, '00000008');
    const bad = packet.slice();
    bad[27] = 0x3b; // DR1 VIFE 0x3A (dimensionless) → 0x3B: the record is no longer DR1.
    expect(decodeStatus(withChecksum(bad))).toEqual({ ok: false, error: 'missing record packetsSent (04fd3a)' });
  });
});

describe('ready-for-configuration packet', () => {
  test('is the long header alone with the gateway serial, checksum and stop', () => {
    expect(toHex(encodeReady('00000008', { access: 1, status: 0x04 }))).toBe('680f0f6844fd72' + '08000000' + '3330' + '0a31' + '0104' + '0000' + '5e16');
  });

  test('decodes back to its serial, access number and status', () => {
    expect(decodeReady(encodeReady('12345678', { access: 0x75 }))).toMatchObject({ ok: true, serial: '12345678', access: 0x75, status: 0 });
  });

  test('a data packet is not a ready packet', () => {
    expect(decodeReady(MANUAL_PACKET)).toEqual({ ok: false, error: 'C-field 0x08, expected 0x44' });
  });
});
