/**
 * TI CC1101 (datasheet SWRS061I) register map, command strobes and the two EN 13757-4 receive
 * configurations, computed from the crystal frequency with the datasheet formulas. Pure: the
 * ESP32 driver (`drivers/esp32/cc1101.ts`) writes these bytes over SPI.
 */
import type { RadioPhy } from './types';
import { freezeTable } from '../../protocol/freeze';

/** Crystal on the reference board (the CC1101 reference designs use 26 MHz). */
export const CC1101_XOSC_HZ = 26_000_000;

/** SWRS061I §10.1 header byte: bit 7 read, bit 6 burst, bits 5:0 address. */
export const HEADER_READ = 0x80;
export const HEADER_BURST = 0x40;

/** SWRS061I Table 43: configuration registers. */
export const Reg = freezeTable({
  IOCFG2: 0x00,
  IOCFG1: 0x01,
  IOCFG0: 0x02,
  FIFOTHR: 0x03,
  SYNC1: 0x04,
  SYNC0: 0x05,
  PKTLEN: 0x06,
  PKTCTRL1: 0x07,
  PKTCTRL0: 0x08,
  ADDR: 0x09,
  CHANNR: 0x0a,
  FSCTRL1: 0x0b,
  FSCTRL0: 0x0c,
  FREQ2: 0x0d,
  FREQ1: 0x0e,
  FREQ0: 0x0f,
  MDMCFG4: 0x10,
  MDMCFG3: 0x11,
  MDMCFG2: 0x12,
  MDMCFG1: 0x13,
  MDMCFG0: 0x14,
  DEVIATN: 0x15,
  MCSM2: 0x16,
  MCSM1: 0x17,
  MCSM0: 0x18,
  FOCCFG: 0x19,
  BSCFG: 0x1a,
  AGCCTRL2: 0x1b,
  AGCCTRL1: 0x1c,
  AGCCTRL0: 0x1d,
  WOREVT1: 0x1e,
  WOREVT0: 0x1f,
  WORCTRL: 0x20,
  FREND1: 0x21,
  FREND0: 0x22,
  FSCAL3: 0x23,
  FSCAL2: 0x24,
  FSCAL1: 0x25,
  FSCAL0: 0x26,
  RCCTRL1: 0x27,
  RCCTRL0: 0x28,
  TEST2: 0x2c,
  TEST1: 0x2d,
  TEST0: 0x2e,
} as const);

/** SWRS061I Table 42: command strobes (a header byte with no data). */
export const Strobe = freezeTable({
  SRES: 0x30,
  SCAL: 0x33,
  SRX: 0x34,
  SIDLE: 0x36,
  SPWD: 0x39,
  SFRX: 0x3a,
  SNOP: 0x3d,
} as const);

/** SWRS061I Table 44: status registers, read with the burst bit set (0xC0 | address). */
export const StatusReg = freezeTable({
  PARTNUM: 0x30,
  VERSION: 0x31,
  RSSI: 0x34,
  MARCSTATE: 0x35,
  RXBYTES: 0x3b,
} as const);

/** SWRS061I §10.5: the RX FIFO is read at address 0x3F. */
export const FIFO = 0x3f;

/** SWRS061I Table 23 status byte: CHIP_RDYn (bit 7), STATE (bits 6:4), FIFO_BYTES_AVAILABLE. */
export const STATUS_CHIP_RDYN = 0x80;
const STATUS_STATE_SHIFT = 4;
const STATUS_STATE_MASK = 0x07;
export const ChipState = freezeTable({ IDLE: 0, RX: 1, RXFIFO_OVERFLOW: 6 } as const);

export function chipState(status: number): number {
  return (status >> STATUS_STATE_SHIFT) & STATUS_STATE_MASK;
}

/** SWRS061I RXBYTES (0x3B): RXFIFO_OVERFLOW in bit 7, NUM_RXBYTES in bits 6:0. */
export const RXBYTES_OVERFLOW = 0x80;
export const RXBYTES_COUNT = 0x7f;

/** SWRS061I MARCSTATE values the driver waits for. */
export const MarcState = freezeTable({ IDLE: 0x01, RX: 0x0d, RXFIFO_OVERFLOW: 0x11 } as const);

/** SWRS061I Table 41 GDOx_CFG values. */
export const GdoSignal = freezeTable({
  /** Asserts at or above the RX FIFO threshold, de-asserts when drained below it. */
  RX_FIFO_THRESHOLD: 0x00,
  /** Asserts on sync word, de-asserts at the end of the packet (or on RX FIFO overflow). */
  SYNC_WORD: 0x06,
  HIGH_IMPEDANCE: 0x2e,
} as const);

/** PKTCTRL0.LENGTH_CONFIG (SWRS061I §15.4): fixed length from PKTLEN, or infinite. */
export const LENGTH_FIXED = 0x00;
export const LENGTH_INFINITE = 0x02;
/** PKTLEN counts modulo 256 (SWRS061I §15.4.2 "Arbitrary Length Field Configuration"). */
export const PKTLEN_MODULO = 256;

/** CC1101 VERSION values seen on shipped parts (SWRS061I status register 0x31; errata SWRZ020). */
export const KNOWN_VERSIONS: readonly number[] = freezeTable([0x04, 0x14]);

/**
 * RX FIFO threshold: FIFOTHR.FIFO_THR = 3 raises GDO0 at 16 of the 64 FIFO bytes, leaving 48
 * bytes (3.7 ms at T1's 103 kBaud, 11.7 ms at S1) for the MCU to answer the interrupt.
 */
export const RX_FIFO_THRESHOLD_CODE = 3;
export const RX_FIFO_THRESHOLD_BYTES = (RX_FIFO_THRESHOLD_CODE + 1) * 4;
/** FIFOTHR.ADC_RETENTION: keeps the RX filter settings valid for bandwidths ≤ 325 kHz after SLEEP. */
const FIFOTHR_ADC_RETENTION = 0x40;

/** The EN 13757-4 link-mode figures the registers are computed from. */
export interface PhyParameters {
  readonly frequencyHz: number;
  readonly dataRateBaud: number;
  readonly deviationHz: number;
  readonly channelBandwidthHz: number;
  readonly syncWord: number;
  /** BSCFG, AGCCTRL2 and AGCCTRL0 as tuned by TI for the mode (not formula-derived). */
  readonly bscfg: number;
  readonly agcctrl2: number;
  readonly agcctrl0: number;
}

/**
 * EN 13757-4 §7/§9: S1 at 868.3 MHz, 32.768 kchip/s Manchester (the chips are delivered raw;
 * Manchester decoding belongs to the frame layer), sync 0x7696 after the preamble; T1/C1 at
 * 868.95 MHz, 100 kchip/s 2-FSK, sync 0x543D (the common tail of T1's and C1's preamble+sync).
 * Data rate, deviation and bandwidth are the receiver values of TI's wM-Bus settings for CC1101
 * (AN SWRA234 / DN022): T at 103 kBaud to absorb the ±12 % meter chip-rate tolerance, deviation
 * below the nominal ±50 kHz as the demodulator prefers.
 */
export const WMBUS_PHY: Readonly<Record<RadioPhy, PhyParameters>> = freezeTable({
  S1: {
    frequencyHz: 868_300_000,
    dataRateBaud: 32_768,
    deviationHz: 47_600,
    channelBandwidthHz: 270_000,
    syncWord: 0x7696,
    bscfg: 0x6d,
    agcctrl2: 0x04,
    agcctrl0: 0xb2,
  },
  T1C1: {
    frequencyHz: 868_950_000,
    dataRateBaud: 103_000,
    deviationHz: 38_000,
    channelBandwidthHz: 325_000,
    syncWord: 0x543d,
    bscfg: 0xbf,
    agcctrl2: 0x43,
    agcctrl0: 0xb5,
  },
});

const FREQ_SCALE = 2 ** 16;
const DRATE_SCALE = 2 ** 28;
const DRATE_EXPONENT_SCALE = 2 ** 20;
const DRATE_MANTISSA_OFFSET = 256;
const DEVIATION_SCALE = 2 ** 17;
const DEVIATION_MANTISSA_OFFSET = 8;
const CHANBW_MANTISSA_OFFSET = 4;
const CHANBW_DIVIDER = 8;
const FIELD_MAX_3BIT = 7;
const FIELD_MAX_2BIT = 3;
const BYTE = 0xff;

export interface ExponentMantissa {
  readonly exponent: number;
  readonly mantissa: number;
}

/**
 * SWRS061I §21: f_carrier = f_XOSC / 2^16 · FREQ. Truncated, as SmartRF Studio exports do, so the
 * carrier never lies above the requested frequency (0x216BD0 for 868.95 MHz, as in TI's T-mode set).
 */
export function frequencyWord(frequencyHz: number, xoscHz = CC1101_XOSC_HZ): number {
  return Math.floor((frequencyHz * FREQ_SCALE) / xoscHz);
}

export function carrierHz(word: number, xoscHz = CC1101_XOSC_HZ): number {
  return (word * xoscHz) / FREQ_SCALE;
}

/** SWRS061I §12: R = (256 + DRATE_M) · 2^DRATE_E · f_XOSC / 2^28. */
export function dataRateSetting(baud: number, xoscHz = CC1101_XOSC_HZ): ExponentMantissa {
  let exponent = Math.floor(Math.log2((baud * DRATE_EXPONENT_SCALE) / xoscHz));
  let mantissa = Math.round((baud * DRATE_SCALE) / (xoscHz * 2 ** exponent) - DRATE_MANTISSA_OFFSET);
  if (mantissa === DRATE_MANTISSA_OFFSET) {
    mantissa = 0;
    exponent += 1;
  }
  return { exponent, mantissa };
}

export function dataRateBaud(setting: ExponentMantissa, xoscHz = CC1101_XOSC_HZ): number {
  return ((DRATE_MANTISSA_OFFSET + setting.mantissa) * 2 ** setting.exponent * xoscHz) / DRATE_SCALE;
}

/** SWRS061I §16.1: f_dev = f_XOSC / 2^17 · (8 + DEVIATION_M) · 2^DEVIATION_E; the nearest setting. */
export function deviationSetting(targetHz: number, xoscHz = CC1101_XOSC_HZ): ExponentMantissa {
  let best: ExponentMantissa = { exponent: 0, mantissa: 0 };
  let bestError = Infinity;
  for (let exponent = 0; exponent <= FIELD_MAX_3BIT; exponent++) {
    for (let mantissa = 0; mantissa <= FIELD_MAX_3BIT; mantissa++) {
      const error = Math.abs(deviationHz_(exponent, mantissa, xoscHz) - targetHz);
      if (error < bestError) {
        bestError = error;
        best = { exponent, mantissa };
      }
    }
  }
  return best;
}

export function deviationHz(setting: ExponentMantissa, xoscHz = CC1101_XOSC_HZ): number {
  return deviationHz_(setting.exponent, setting.mantissa, xoscHz);
}

function deviationHz_(exponent: number, mantissa: number, xoscHz: number): number {
  return (xoscHz / DEVIATION_SCALE) * (DEVIATION_MANTISSA_OFFSET + mantissa) * 2 ** exponent;
}

/** SWRS061I §13: BW = f_XOSC / (8 · (4 + CHANBW_M) · 2^CHANBW_E); the narrowest filter ≥ the request. */
export function channelBandwidthSetting(bandwidthHz: number, xoscHz = CC1101_XOSC_HZ): ExponentMantissa {
  let best: ExponentMantissa = { exponent: 0, mantissa: 0 };
  let bestBandwidth = Infinity;
  for (let exponent = 0; exponent <= FIELD_MAX_2BIT; exponent++) {
    for (let mantissa = 0; mantissa <= FIELD_MAX_2BIT; mantissa++) {
      const bw = channelBandwidthHz({ exponent, mantissa }, xoscHz);
      if (bw >= bandwidthHz && bw < bestBandwidth) {
        bestBandwidth = bw;
        best = { exponent, mantissa };
      }
    }
  }
  return best;
}

export function channelBandwidthHz(setting: ExponentMantissa, xoscHz = CC1101_XOSC_HZ): number {
  return xoscHz / (CHANBW_DIVIDER * (CHANBW_MANTISSA_OFFSET + setting.mantissa) * 2 ** setting.exponent);
}

/**
 * SWRS061I §17.3: RSSI is a signed byte in half-dB steps; RSSI_dBm = RSSI_dec / 2 − RSSI_offset,
 * with RSSI_offset = 74 dB at 868 MHz (Table 31).
 */
export const RSSI_OFFSET_DB = 74;

export function rssiDbm(raw: number): number {
  const signed = raw >= 0x80 ? raw - 0x100 : raw;
  return signed / 2 - RSSI_OFFSET_DB;
}

/** First configuration register written in one burst (IOCFG2) and the count up to RCCTRL0. */
export const CONFIG_BURST_START = Reg.IOCFG2;
export const CONFIG_BURST_LENGTH = Reg.RCCTRL0 - Reg.IOCFG2 + 1;
export const TEST_BURST_START = Reg.TEST2;

/**
 * IOCFG2..RCCTRL0 for `phy`: GDO2 = sync word / end of packet, GDO0 = RX FIFO threshold, GDO1
 * (shared with SO) tri-stated; infinite length, no CRC, no whitening, no address check (the
 * frame layer checks EN 13757-4 CRCs); 16/16 sync bits + carrier sense; RX ends in IDLE so a
 * fixed-length packet stops the receiver; calibration on IDLE→RX.
 */
export function cc1101ConfigRegisters(phy: RadioPhy, xoscHz = CC1101_XOSC_HZ): Uint8Array {
  const p = WMBUS_PHY[phy];
  const freq = frequencyWord(p.frequencyHz, xoscHz);
  const drate = dataRateSetting(p.dataRateBaud, xoscHz);
  const chanbw = channelBandwidthSetting(p.channelBandwidthHz, xoscHz);
  const dev = deviationSetting(p.deviationHz, xoscHz);
  const r = new Uint8Array(CONFIG_BURST_LENGTH);
  r[Reg.IOCFG2] = GdoSignal.SYNC_WORD;
  r[Reg.IOCFG1] = GdoSignal.HIGH_IMPEDANCE;
  r[Reg.IOCFG0] = GdoSignal.RX_FIFO_THRESHOLD;
  r[Reg.FIFOTHR] = FIFOTHR_ADC_RETENTION | RX_FIFO_THRESHOLD_CODE;
  r[Reg.SYNC1] = (p.syncWord >> 8) & BYTE;
  r[Reg.SYNC0] = p.syncWord & BYTE;
  r[Reg.PKTLEN] = BYTE;
  r[Reg.PKTCTRL1] = 0x00;
  r[Reg.PKTCTRL0] = LENGTH_INFINITE;
  r[Reg.ADDR] = 0x00;
  r[Reg.CHANNR] = 0x00;
  // IF = f_XOSC / 2^10 · 8 ≈ 203 kHz, as in TI's wM-Bus settings.
  r[Reg.FSCTRL1] = 0x08;
  r[Reg.FSCTRL0] = 0x00;
  r[Reg.FREQ2] = (freq >> 16) & BYTE;
  r[Reg.FREQ1] = (freq >> 8) & BYTE;
  r[Reg.FREQ0] = freq & BYTE;
  r[Reg.MDMCFG4] = (chanbw.exponent << 6) | (chanbw.mantissa << 4) | drate.exponent;
  r[Reg.MDMCFG3] = drate.mantissa;
  // 2-FSK, Manchester off, SYNC_MODE 6: 16/16 sync bits + carrier sense.
  r[Reg.MDMCFG2] = 0x06;
  // FEC off, 4 preamble bytes (TX only), CHANSPC_E = 2 with MDMCFG0 0xF8: 200 kHz spacing.
  r[Reg.MDMCFG1] = 0x22;
  r[Reg.MDMCFG0] = 0xf8;
  r[Reg.DEVIATN] = (dev.exponent << 4) | dev.mantissa;
  // No RX timeout; RXOFF and TXOFF go to IDLE; FS_AUTOCAL on IDLE→RX/TX, PO_TIMEOUT ≈ 150 µs.
  r[Reg.MCSM2] = 0x07;
  r[Reg.MCSM1] = 0x00;
  r[Reg.MCSM0] = 0x18;
  r[Reg.FOCCFG] = 0x2e;
  r[Reg.BSCFG] = p.bscfg;
  r[Reg.AGCCTRL2] = p.agcctrl2;
  r[Reg.AGCCTRL1] = 0x09;
  r[Reg.AGCCTRL0] = p.agcctrl0;
  // Wake-on-radio unused: reset values.
  r[Reg.WOREVT1] = 0x87;
  r[Reg.WOREVT0] = 0x6b;
  r[Reg.WORCTRL] = 0xf8;
  r[Reg.FREND1] = 0xb6;
  r[Reg.FREND0] = 0x10;
  r[Reg.FSCAL3] = 0xea;
  r[Reg.FSCAL2] = 0x2a;
  r[Reg.FSCAL1] = 0x00;
  r[Reg.FSCAL0] = 0x1f;
  r[Reg.RCCTRL1] = 0x41;
  r[Reg.RCCTRL0] = 0x00;
  return r;
}

/**
 * TEST2, TEST1, TEST0: SmartRF values for RX filter bandwidths ≤ 325 kHz at 868 MHz. These are
 * not retained in SLEEP (SWRS061I §19.5), so the driver writes them before every receive.
 */
export function cc1101TestRegisters(): Uint8Array {
  return Uint8Array.of(0x81, 0x35, 0x09);
}

/** Longest packet the driver buffers: S1 Manchester chips of a 255-byte format A frame (≈ 580). */
export const MAX_PACKET_CHIPS = 600;

/** Air time of `chips` bytes at the configured data rate, in ms. */
export function airTimeMs(phy: RadioPhy, chips: number, xoscHz = CC1101_XOSC_HZ): number {
  const baud = dataRateBaud(dataRateSetting(WMBUS_PHY[phy].dataRateBaud, xoscHz), xoscHz);
  return (chips * 8 * 1000) / baud;
}
