/**
 * Real telegrams for the simulated meters: 23 CRC-free frames (L-field = length - 1) from the wmbusmeters
 * test data in the conformance corpus (/work/shared/corpus, `telegram_hex` of entries with
 * `l_field_matches_length: true`, and the CRC-stripped form of the format-B sensostar frame). No
 * Diehl-family address quirk among them; CI 0x7A, 0x72, 0x73, 0x8C (two with AFL), 0x8D, 0x78 and
 * manufacturer-specific frames from 25 to 230 bytes. Each carries the wmbusmeters driver that decodes it;
 * the four whose payload really is ciphertext carry the corpus key, with which the population decrypts them
 * once before re-encrypting them under each meter's own key and address (meter-security.ts).
 */
import { freezeTable } from '../../protocol/freeze';
import { fromHex } from '../../protocol/text/utf8';

export interface MeterTemplate {
  /** wmbusmeters driver (the corpus entry's `driver`). */
  readonly driver: string;
  /** CRC-free frame, L = length − 1. */
  readonly frame: Uint8Array;
  /** The corpus key of a template whose payload is ciphertext. */
  readonly key?: Uint8Array;
}

interface TemplateSource {
  readonly driver: string;
  readonly hex: string;
  readonly key?: string;
}

const METER_TEMPLATES: readonly TemplateSource[] = freezeTable([
  {
    // SEN, CI 0x7A, 25 bytes
    driver: 'iperl',
    hex: '1844ae4c4455223368077a55000000041389e20100023b0000',
  },
  {
    // ELV, CI 0x7A, 31 bytes
    driver: 'elvsense',
    hex: '1e44961557890080501b7aff0010252f2f0265680802fd46630e0f2f2f2f2f',
  },
  {
    // LSE, CI 0x7A, 46 bytes
    driver: 'lse_07_17',
    hex: '2d4465321413121116077a900000000c13565906004c1336400600426c9f2c02bb560000326cffff046d3405ba25',
  },
  {
    // LAS, CI 0x7A, 47 bytes
    driver: 'lansenth',
    hex: '2e44333003020100071b7a634820252f2f0265840842658308820165950802fb1aae0142fb1aae018201fb1aa9012f',
  },
  {
    // WEP, CI 0x7A, 47 bytes
    driver: 'munia',
    hex: '2e44b05c82340100021b7a460000002f2f0a6601020afb1a570602fd971d00002f2f2f2f2f2f2f2f2f2f2f2f2f2f2f',
  },
  {
    // QDS, CI 0x7A, 50 bytes
    driver: 'qcaloric',
    hex: '314493449392919034087a520000200b6e9700004b6e700200426c9f2ccb086e970000c2086cbe26326cffff046d2d16a227',
  },
  {
    // BFW, CI 0x7A, 55 bytes
    driver: 'bfw240radio',
    hex:
      '3644d7084774700002087ae1c000002f2f481f0144010014700000000000000000000000000000000000000000379b0144ac' +
      '0100040321',
  },
  {
    // ITW, CI 0x7A, 59 bytes
    driver: 'itron',
    hex:
      '3a4497269820362300167af60020a52f2f04132e100000066d03260de12b007413fefefefe426c1f01047f1600060c027f9a' +
      '2a0e79187103002300',
  },
  {
    // DME, CI 0x7A, 63 bytes
    driver: 'sharky774',
    hex:
      '3e44a51198381752410c7aa80030052f2f0c06105104000c13093835020b3b9401000c2b342600000a5a12060a5e91040aa6' +
      '1800004c0641460400426cff21',
  },
  {
    // TCH, CI 0x72, 74 bytes
    driver: 'weh_07',
    hex:
      '494468509494949495377286868686a85cfe07a90030052f2f0413100000000f52fcf6a52a90a8d83ca8f7feae8699050232' +
      '3d0c70eff49833c7c1696f75bcabc1e52e6305308d0f31fb',
  },
  {
    // EFE, CI 0x73 behind a radio converter, mode 5 ciphertext, 119 bytes
    driver: 'engelmann_faw',
    key: '5cdb04c8edfdc09ec49b5e76a24d4822',
    hex:
      '7644c5145528502202077320248622c5140007700060255f2aa2967eb77d0bf310341e3636d9acc17cc5d69ce5632d7b494c' +
      'c0718e2dbb916bbec0c3ff2b0d6087fd0abb3ba0779564cc089e4527987ef2221d26d7ea448ca59759acfbea4e5b0026ef46' +
      '3592b6668fbf680896e78b461dbb77c32903e0',
  },
  {
    // ZRI, CI 0x72, 103 bytes
    driver: 'minomess',
    hex:
      '6644496a8753155518377221314151496a0106300050052f2f0c1357000000026cec2182046ce1218c0413000000808d0493' +
      '132c33fe00008000008000008000008000008000008000008000008000008000008000008000008000008000008002fd1700' +
      '002f2f',
  },
  {
    // BMT, CI 0x8C, 37 bytes
    driver: 'hydrodigit',
    hex: '2444b4090155240317068c00487ac00000000c1335670000046d172eea280f030000000000',
  },
  {
    // WTT, CI 0x8C, 50 bytes
    driver: 'watertech',
    hex: '3144945e3838383859078c20007a010020252f2f066d1c1f0ef021000413b91e000002fd17000002fd0f4c2b2f2f2f2f2f2f',
  },
  {
    // GAV, CI 0x8C, 66 bytes
    driver: 'em24',
    hex:
      '4144361c0202020200028c209a7a9a0030252f2f04050100000004fb82750000000004fb82f53c00000000042a0000000001' +
      'fd17002f2f2f2f2f2f2f2f2f2f2f2f2f',
  },
  {
    // ELR, CI 0x8C, 68 bytes
    driver: 'emerlin868',
    hex:
      '434492152024500012378c60a8900f002c25a89d05001cff60e32b67b46a7aa8002007102f2f04132564000004fd971d8080' +
      '0000441300000080426c000002fdfd02b300',
  },
  {
    // BMP, CI 0x78, 46 bytes
    driver: 'hydroclima',
    hex: '2d44b009233739743308780f9d1300023ed97aec7bc5908a32c15d8a32c126915ac15ac126912691269187912689',
  },
  {
    // GSS, CI 0x78, 159 bytes
    driver: 'gransystems',
    hex:
      '9e44731e17011020010278046d0813bc21040300000000841003000000008420030000000084300300000000848010030000' +
      '000084016d0000bc218401030000000084110300000000842103000000008431030000000084811003000000008440fd4825' +
      '090000848040fd480000000084c040fd48000000008440fd5b00000000848040fd5b0000000084c040fd5b0000000002fb2d' +
      '881304fd1702000101',
  },
  {
    // APA, CI 0xA0, 29 bytes
    driver: 'apatorna1',
    hex: '1c440106813591041407a0020134813c00486734067db0111c30188137',
  },
  {
    // APA, CI 0x7A, mode 5 ciphertext, 111 bytes
    driver: 'apator162',
    key: '00000000000000000000000000000000',
    hex:
      '6e4401068888888805077a85006085bc2630713819512eb4cd87fba554fb43f67cf9654a68ee8e194088160df752e7162382' +
      '92e8af1ac20986202ee561d743602466915e42f1105d9c6782a54504e4f099e65a7656b930c73a30775122d2fdf074b5035c' +
      'faa7e0050bf32faae03a77',
  },
  {
    // KAM, CI 0x8D, ELL AES-CTR ciphertext, 43 bytes
    driver: 'kamwater',
    key: '28f64a24988064a079aa2c807d6102ae',
    hex: '2a442d2c998734761b168d2091d37cac21e1d68cdaffcd3dc452bd802913ff7b1706ca9e355d6c2701cc24',
  },
  {
    // EFE, CI 0x8C with AFL, mode 7 ciphertext, 191 bytes after its DLL CRCs were removed
    driver: 'sensostar',
    key: '622b9656991ff0c1574c0950cf9278d1',
    hex:
      'be44c5140443054300048c200e900f002c25895e02003b0877d31da840b17a0e009007100f8fad4c4e61400da4f3b1f7e273' +
      'cc4c5c07f93cd20b237345db39f9a98f8415e1c4b7a25c86e4c22d05c3352fa7e2e5627031f14643063f1dc8fe2c32459b6f' +
      '02e4234b447b18e4bfda8c4da9b1ede6cf29d0b2122a3e8b9deee6dbe6617b4e709ec6b595179cb01c2c0bde6723a345b708' +
      '652880c114a58da07c73ad9eb8acb17fa0a88f19bc84cb1fc56672de8a9603fd0c05010002fd0b2111',
  },
  {
    // ZRI, CI 0x7A, 230 bytes
    driver: 'c5isf',
    hex:
      'e544496a55554455880d7a320200002f2f04060000000004130000000002fd17240084800106000000008280016c2124c480' +
      '010600000080c280016cffff84810106000000808281016cffffc481010600000080c281016cffff84820106000000808282' +
      '016cffffc482010600000080c282016cffff84830106000000808283016cffffc483010600000080c283016cffff84840106' +
      '000000808284016cffffc484010600000080c284016cffff84850106000000808285016cffffc485010600000080c285016c' +
      'ffff84860106000000808286016cffffc486010600000080c286016cffff',
  },
]);

export function meterTemplates(): MeterTemplate[] {
  return METER_TEMPLATES.map((t) => ({
    driver: t.driver,
    frame: fromHex(t.hex) as Uint8Array,
    ...(t.key !== undefined ? { key: fromHex(t.key) as Uint8Array } : {}),
  }));
}

export function meterFrames(): Uint8Array[] {
  return meterTemplates().map((t) => t.frame);
}
