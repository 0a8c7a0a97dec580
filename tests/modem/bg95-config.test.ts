import {
  NB_IOT_BANDS,
  bandMask,
  bandsOfMask,
  decodeActiveTime,
  decodePeriodicTau,
  encodeActiveTime,
  encodePeriodicTau,
  nbIotBandMask,
  scanPlan,
  technologyOfQnwinfo,
} from '../../drivers/modem/bg95-config';
import { PIN_REFUSED_KEY, PinGuard } from '../../drivers/modem/pin-guard';
import type { ModemNetworkConfig } from '../../drivers/modem/types';
import type { ModemConfig } from '../../protocol/config/types';
import { SimSettings } from '../../sim/drivers/settings';

describe('§4.2.3.1 mode / scanseq → AT+QCFG scan settings', () => {
  test('auto without scanseq: LTE-M then 2G, and a second attempt in 2G only (§1.6.4)', () => {
    expect(scanPlan({ mode: 'auto' })).toEqual([
      { nwscanmode: 0, iotopmode: 0, nwscanseq: '0201', technologies: ['LTE-M', '2G'] },
      { nwscanmode: 1, nwscanseq: '01', technologies: ['2G'] },
    ]);
  });

  test('auto with the manual example sequence LTE-M, 2G, NB-IoT', () => {
    expect(scanPlan({ mode: 'auto', scanseq: ['LTE-M', '2G', 'NB-IoT'] })[0]).toEqual({
      nwscanmode: 0,
      iotopmode: 2,
      nwscanseq: '020103',
      technologies: ['LTE-M', '2G', 'NB-IoT'],
    });
  });

  test('auto with a sequence that forbids 2G has no 2G fallback attempt', () => {
    expect(scanPlan({ mode: 'auto', scanseq: ['NB-IoT', 'LTE-M'] })).toEqual([
      { nwscanmode: 3, iotopmode: 2, nwscanseq: '0302', technologies: ['NB-IoT', 'LTE-M'] },
    ]);
  });

  test('forced modes: one attempt each', () => {
    expect(scanPlan({ mode: 'LTE-M' })).toEqual([{ nwscanmode: 3, iotopmode: 0, nwscanseq: '02', technologies: ['LTE-M'] }]);
    expect(scanPlan({ mode: 'NB-IoT' })).toEqual([{ nwscanmode: 3, iotopmode: 1, nwscanseq: '03', technologies: ['NB-IoT'] }]);
    expect(scanPlan({ mode: '2G' })).toEqual([{ nwscanmode: 1, nwscanseq: '01', technologies: ['2G'] }]);
  });
});

describe('§4.2.3.1 band → AT+QCFG="band" NB-IoT mask', () => {
  test('the manual example bands 3, 8, 20 set bits 2, 7 and 19', () => {
    expect(bandMask([3, 8, 20])).toBe('0x80084');
    expect(bandsOfMask('0x80084')).toEqual([3, 8, 20]);
  });

  test('no band list: every band the product supports, band 85 included', () => {
    expect(bandsOfMask(nbIotBandMask(null))).toEqual([...NB_IOT_BANDS]);
    expect(nbIotBandMask([])).toBe(nbIotBandMask(null));
  });
});

describe('TS 24.008 PSM timers for AT+CPSMS', () => {
  test('a one-day periodic TAU is 24 × 1 hour', () => {
    expect(encodePeriodicTau(86_400)).toBe('00111000');
    expect(decodePeriodicTau('00111000')).toBe(86_400);
  });

  test('a 60 s active time is 30 × 2 s', () => {
    expect(encodeActiveTime(60)).toBe('00011110');
    expect(decodeActiveTime('00011110')).toBe(60);
  });

  test('values that do not fit round up to the next representable period', () => {
    expect(decodePeriodicTau(encodePeriodicTau(30 * 86_400))).toBe(3 * 1_152_000);
    expect(decodeActiveTime(encodeActiveTime(61))).toBe(62);
    expect(decodeActiveTime(encodeActiveTime(63))).toBe(120);
    expect(decodeActiveTime('11100000')).toBeUndefined();
  });
});

test('AT+QNWINFO access technologies', () => {
  expect(['eMTC', 'NBIoT', 'GSM', 'EDGE', 'TDD LTE'].map(technologyOfQnwinfo)).toEqual(['LTE-M', 'NB-IoT', '2G', '2G', undefined]);
});

describe('PIN refusals persisted per ICCID', () => {
  const A = '89330123456789012345';
  const B = '89330123456789099999';

  test('a refusal is remembered for that SIM only, as a fingerprint', () => {
    const settings = new SimSettings(new Map());
    const guard = new PinGuard(settings);
    guard.record(A, '0000');
    expect(guard.refused(A, '0000')).toBe(true);
    expect(guard.refused(A, '1111')).toBe(false);
    expect(guard.refused(B, '0000')).toBe(false);
    expect(new PinGuard(settings).refused(A, '0000')).toBe(true);
    expect(String(settings.get(PIN_REFUSED_KEY))).toMatch(/^89330123456789012345=[0-9a-f]{8}$/);
  });

  test('several refused PINs of one SIM are all remembered, a cleared SIM forgets them', () => {
    const guard = new PinGuard(new SimSettings(new Map()));
    guard.record(A, '0000');
    guard.record(A, '1111');
    guard.record(B, '2222');
    expect([guard.refused(A, '0000'), guard.refused(A, '1111'), guard.refused(B, '2222')]).toEqual([true, true, true]);
    guard.clear(A);
    expect([guard.refused(A, '0000'), guard.refused(B, '2222')]).toEqual([false, true]);
    guard.clear();
    expect(guard.refused(B, '2222')).toBe(false);
  });

  test('a corrupted record reads as no refusal', () => {
    const settings = new SimSettings(new Map([[PIN_REFUSED_KEY, 'garbage;;=x,,zz']]));
    expect(new PinGuard(settings).refused(A, '0000')).toBe(false);
  });
});

test('the configuration layer`s ModemConfig is accepted by the driver as is', () => {
  const fromConfig: ModemConfig = {
    mode: 'auto',
    scanseq: ['LTE-M', '2G', 'NB-IoT'],
    band: [3, 8, 20],
    deregisterOnLocalAction: false,
    cpin: '1234',
    apn: null,
    user: null,
    pass: null,
    timeout: 240,
    randomDelay: 0,
  };
  const forDriver: ModemNetworkConfig = fromConfig;
  expect(scanPlan(forDriver)[0].nwscanseq).toBe('020103');
});
