/**
 * CC1101 register computation (SWRS061I formulas, 26 MHz crystal) checked against the register
 * values of TI's published wM-Bus S- and T-mode settings for CC1101 (SmartRF exports shipped with
 * TI's wM-Bus application note): FREQ, MDMCFG4/3 and DEVIATN must come out identical.
 */
import {
  carrierHz,
  cc1101ConfigRegisters,
  channelBandwidthHz,
  channelBandwidthSetting,
  dataRateBaud,
  dataRateSetting,
  deviationHz,
  deviationSetting,
  frequencyWord,
  Reg,
  rssiDbm,
  RX_FIFO_THRESHOLD_BYTES,
} from '../../drivers/radio/cc1101-registers';

function field(phy: 'S1' | 'T1C1', ...regs: number[]): number[] {
  const r = cc1101ConfigRegisters(phy);
  return regs.map((a) => r[a]);
}

describe('TI reference values', () => {
  test('S-mode: FREQ 0x21656A, MDMCFG4 0x6A, MDMCFG3 0x4A, DEVIATN 0x47', () => {
    expect(field('S1', Reg.FREQ2, Reg.FREQ1, Reg.FREQ0, Reg.MDMCFG4, Reg.MDMCFG3, Reg.DEVIATN)).toEqual([
      0x21, 0x65, 0x6a, 0x6a, 0x4a, 0x47,
    ]);
  });

  test('T-mode: FREQ 0x216BD0, MDMCFG4 0x5C, MDMCFG3 0x04, DEVIATN 0x44', () => {
    expect(field('T1C1', Reg.FREQ2, Reg.FREQ1, Reg.FREQ0, Reg.MDMCFG4, Reg.MDMCFG3, Reg.DEVIATN)).toEqual([
      0x21, 0x6b, 0xd0, 0x5c, 0x04, 0x44,
    ]);
  });

  test('sync words: S 0x7696, T/C 0x543D', () => {
    expect(field('S1', Reg.SYNC1, Reg.SYNC0)).toEqual([0x76, 0x96]);
    expect(field('T1C1', Reg.SYNC1, Reg.SYNC0)).toEqual([0x54, 0x3d]);
  });

  test('mode-specific bit-sync and AGC tuning', () => {
    expect(field('S1', Reg.BSCFG, Reg.AGCCTRL2, Reg.AGCCTRL1, Reg.AGCCTRL0)).toEqual([0x6d, 0x04, 0x09, 0xb2]);
    expect(field('T1C1', Reg.BSCFG, Reg.AGCCTRL2, Reg.AGCCTRL1, Reg.AGCCTRL0)).toEqual([0xbf, 0x43, 0x09, 0xb5]);
  });
});

describe('datasheet formulas', () => {
  test('carrier: FREQ = f·2^16/f_XOSC, truncated (never above the request)', () => {
    expect(frequencyWord(868_300_000)).toBe(0x21656a);
    expect(frequencyWord(868_950_000)).toBe(0x216bd0);
    expect(carrierHz(0x216bd0)).toBeLessThanOrEqual(868_950_000);
    expect(868_950_000 - carrierHz(0x216bd0)).toBeLessThan(26e6 / 65536);
  });

  test('data rate: (256 + M)·2^E·f_XOSC/2^28', () => {
    expect(dataRateSetting(32_768)).toEqual({ exponent: 10, mantissa: 0x4a });
    expect(dataRateBaud({ exponent: 10, mantissa: 0x4a })).toBeCloseTo(32_730, 0);
    expect(dataRateSetting(103_000)).toEqual({ exponent: 12, mantissa: 4 });
    expect(dataRateBaud({ exponent: 12, mantissa: 4 })).toBeCloseTo(103_149, 0);
  });

  test('a mantissa that rounds to 256 carries into the exponent', () => {
    // 50 770 Baud is E = 10 with M = 255.88; the next setting up is E = 11, M = 0 (50 781 Baud).
    expect(dataRateSetting(50_770)).toEqual({ exponent: 11, mantissa: 0 });
  });

  test('deviation: f_XOSC/2^17·(8 + M)·2^E, nearest', () => {
    expect(deviationSetting(47_600)).toEqual({ exponent: 4, mantissa: 7 });
    expect(deviationHz({ exponent: 4, mantissa: 7 })).toBeCloseTo(47_607, 0);
    expect(deviationSetting(38_000)).toEqual({ exponent: 4, mantissa: 4 });
    expect(deviationHz({ exponent: 4, mantissa: 4 })).toBeCloseTo(38_086, 0);
  });

  test('channel filter: f_XOSC/(8·(4 + M)·2^E), narrowest at or above the request', () => {
    expect(channelBandwidthSetting(270_000)).toEqual({ exponent: 1, mantissa: 2 });
    expect(channelBandwidthHz({ exponent: 1, mantissa: 2 })).toBeCloseTo(270_833, 0);
    expect(channelBandwidthSetting(325_000)).toEqual({ exponent: 1, mantissa: 1 });
    expect(channelBandwidthHz({ exponent: 1, mantissa: 1 })).toBe(325_000);
  });
});

describe('RSSI conversion (two’s complement, half dB, offset 74 dB at 868 MHz)', () => {
  test.each([
    [0x00, -74],
    [0x1e, -59],
    [0x7f, -10.5],
    [0x80, -138],
    [0xd2, -97],
    [0xff, -74.5],
  ])('raw %d → %d dBm', (raw, dbm) => {
    expect(rssiDbm(raw)).toBe(dbm);
  });
});

describe('receive configuration', () => {
  test('RX FIFO threshold of 16 bytes with ADC retention for SLEEP', () => {
    expect(RX_FIFO_THRESHOLD_BYTES).toBe(16);
    expect(field('S1', Reg.FIFOTHR)).toEqual([0x43]);
  });

  test('infinite length, no CRC/whitening/address check, status not appended', () => {
    expect(field('T1C1', Reg.PKTLEN, Reg.PKTCTRL1, Reg.PKTCTRL0)).toEqual([0xff, 0x00, 0x02]);
  });

  test('2-FSK, Manchester decoding off (chips go to the frame layer), 16/16 sync + carrier sense', () => {
    expect(field('S1', Reg.MDMCFG2)).toEqual([0x06]);
  });

  test('RX ends in IDLE so a fixed-length packet stops the receiver; autocalibration on IDLE→RX', () => {
    expect(field('S1', Reg.MCSM1, Reg.MCSM0)).toEqual([0x00, 0x18]);
  });
});
