/**
 * Fuzzing of every input the device parses. Each target feeds one input to the firmware's own
 * parser and holds it to that parser's contract: a result object (`{ ok: false, … }`, a failed
 * stream state) for bad input, never an exception. An exception that escapes is a crash; a parse
 * slower than the campaign's hang bound is a hang. Inputs are seeded mutations of real vectors
 * (the wM-Bus corpus, the manual's command and configuration files, BG95 and FTP replies from the
 * manuals, packets the firmware's own encoders build) plus plain random bytes.
 */
import { encodeBson } from '../../protocol/bson/encode';
import { decodeBson } from '../../protocol/bson/decode';
import { parseExtendedJson } from '../../protocol/bson/ejson';
import { BsonBinary, BsonDouble, type BsonDocument, type BsonValue } from '../../protocol/bson/types';
import { classifyFinal } from '../../protocol/at/classify';
import { AtLineReader } from '../../protocol/at/lines';
import {
  parseCnum,
  parseCops,
  parseCpin,
  parseCsq,
  parseImei,
  parseQccid,
  parseQcsq,
  parseQiopen,
  parseQird,
  parseQnwinfo,
  parseQsslopen,
  parseRegistration,
} from '../../protocol/at/responses';
import { parseUrc } from '../../protocol/at/urc';
import { parseCommandFile } from '../../protocol/commands/parse';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { configToDocument } from '../../protocol/config/serialize';
import { parseWhitelistFile } from '../../protocol/config/whitelist';
import { decodeFile, encodeFile } from '../../protocol/files/codec';
import { encodeImageHeader, IMAGE_HEADER_BYTES, ImageReceiver, parseImageHeader } from '../../protocol/firmware/image';
import { FtpReplyParser, parseEpsv, parseFtpReply, parsePasv, parsePathname } from '../../protocol/ftp/reply';
import { decodeMqttFullBody } from '../../protocol/mqtt/decode-server';
import { MqttDecoder } from '../../protocol/mqtt/decoder';
import { buildReply, buildRequest, msToNtp, parsePacket, validateReply } from '../../protocol/sntp/packet';
import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import { encodeStream } from '../../protocol/wmbus/encode';
import { filterIdentity, parseHeader } from '../../protocol/wmbus/header';
import { IDENTITY_BYTES } from '../../protocol/wmbus/identity';
import { decodePhy } from '../../protocol/wmbus/phy';
import type { LinkMode } from '../../protocol/wmbus/types';
import { MANUAL_COMMANDS } from '../../tests/commands/manual-commands';
import { parseCmglList, parseCmti } from '../../protocol/at/sms';
import { parseSmsCommand, senderAuthorised } from '../../protocol/sms/command';
import type { SimRandom } from '../world/types';
import { createRandom, deriveSeed } from '../world/random';

/** One parser under test: real inputs to start from and a call that must not throw. */
export interface FuzzTarget {
  readonly name: string;
  readonly seeds: readonly Uint8Array[];
  /**
   * For parsers of decoded BSON: the seed documents, so that some inputs change a value, a type or
   * a key of a document that still decodes (byte mutations mostly stop at the BSON decoder).
   */
  readonly documents?: readonly BsonDocument[];
  /** Parses `input` as the device would; returns normally for any input under the contract. */
  parse(input: Uint8Array): void;
}

export interface FuzzCrash {
  readonly target: string;
  readonly error: string;
  readonly inputHex: string;
}

export interface FuzzReport {
  readonly inputs: number;
  readonly perTarget: Readonly<Record<string, number>>;
  readonly crashes: number;
  readonly hangs: number;
  /** The first crashes found (at most MAX_KEPT_CRASHES), with the input that made them. */
  readonly crashList: readonly FuzzCrash[];
  readonly slowestMs: number;
}

export interface FuzzOptions {
  readonly inputs: number;
  readonly seed: number;
  /** Real telegrams (CRC-free frames, L-field = length − 1), hex: the radio seeds. */
  readonly telegrams: readonly Uint8Array[];
  /** A monotonic clock in ms for the hang bound (the host's; firmware code has none). */
  readonly now: () => number;
  /** A parse over this many ms counts as a hang (default HANG_BOUND_MS). */
  readonly hangBoundMs?: number;
  /** The parsers to fuzz (default: `fuzzTargets(telegrams)`, every input the device parses). */
  readonly targets?: readonly FuzzTarget[];
}

/** Far above the slowest honest parse: under 20 ms, 400 ms with a collection in it on a 2-core machine running 4 jobs. */
export const HANG_BOUND_MS = 5_000;
const MAX_KEPT_CRASHES = 20;
const MAX_RANDOM_INPUT = 300;
const MAX_MUTATIONS = 4;
const MQTT_MAX_PACKET = 65_536;
const BOARD_ID = 'we-wmbus-11';
const UID = '123456';
/** SNTP reply seeds: a plausible server time and the request it answers. */
const SNTP_TIME_MS = 1_767_571_200_000;
const SNTP_TRANSIT_MS = 40;
/** Byte values parsers treat as edges: empty, sign bit, all ones, length-field extremes. */
const INTERESTING_BYTES: readonly number[] = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x0a, 0x0d, 0x2c, 0x22];
const FUZZ_STREAM = 0x66757a7a;

/** BG95 replies as the AT commands manual formats them (one per line, CRLF as the module sends). */
/** The SMS store as AT+CMGL="ALL" lists it in text mode (TS 27.005 §3.4.2), and a +CMTI first. */
const SMS_LISTS: readonly string[] = [
  '+CMTI: "SM",3\r\n+CMGL: 1,"REC UNREAD","+33612345678",,"26/12/04,10:15:32+04"\r\n123456 request\r\n+CMGL: 2,"REC READ","+33698765432",,"26/12/04,10:16:01+04"\r\n123456 status',
  '+CMGL: 0,"REC READ","Operator"\r\nYour credit is low\r\n+CMGL: 4,"REC UNREAD","+33612345678"\r\n00570045005F',
];
const AT_REPLIES: readonly string[] = [
  'OK',
  'ERROR',
  '+CME ERROR: 16',
  '+CSQ: 20,99',
  '+QCSQ: "eMTC",-71,-95,135,-11',
  '+QNWINFO: "eMTC","20801","LTE BAND 20",6400',
  '+COPS: 0,0,"Sim Telecom",8',
  '+CEREG: 2,5,"1A2B","01A2B3C4",8',
  '+CGREG: 1,"00C3","0000A13F"',
  '+CREG: 0,1',
  '+CPIN: READY',
  '+CPIN: SIM PIN',
  '+QCCID: 89330123456789012345',
  '+CNUM: ,"+33612345678",145',
  '866834040000001',
  '+QIOPEN: 0,0',
  '+QSSLOPEN: 1,0',
  '+QIRD: 12',
  '+QIURC: "recv",0',
  '+QIURC: "closed",0',
  '+QIURC: "pdpdeact",1',
  'RDY',
  'APP RDY',
  'POWERED DOWN',
  'CONNECT 12',
  'SEND OK',
];

/** FTP control replies (RFC 959 §4.2, RFC 2428 for EPSV). */
const FTP_REPLIES: readonly string[] = [
  '220 FTP server ready\r\n',
  '331 Password required\r\n',
  '230 Logged in\r\n',
  '227 Entering Passive Mode (127,0,0,1,195,80)\r\n',
  '229 Entering Extended Passive Mode (|||6446|)\r\n',
  '257 "/INBOX" is the current directory\r\n',
  '211-Features:\r\n SIZE\r\n MDTM\r\n211 End\r\n',
  '213 4096\r\n',
  '550 No such file\r\n',
  '150 Opening data connection\r\n226 Transfer complete\r\n',
];

/** MQTT 3.1.1 packets a broker sends (§3.2 CONNACK, §3.3 PUBLISH, §3.4 PUBACK, §3.9 SUBACK, §3.13 PINGRESP). */
const MQTT_PACKETS: readonly number[][] = [
  [0x20, 0x02, 0x00, 0x00],
  [0x20, 0x02, 0x01, 0x05],
  [0x40, 0x02, 0x00, 0x01],
  [0x90, 0x03, 0x00, 0x01, 0x01],
  [0xd0, 0x00],
  [0x32, 0x0c, 0x00, 0x05, 0x61, 0x2f, 0x62, 0x2f, 0x63, 0x00, 0x07, 0x7b, 0x7d, 0x0a],
  [0x30, 0x09, 0x00, 0x03, 0x63, 0x2f, 0x78, 0x01, 0x02, 0x03, 0x04],
];

const LINK_MODES: readonly LinkMode[] = ['T1', 'C1A', 'C1B', 'S1'];

function ejsonDocument(text: string): BsonDocument {
  const parsed = parseExtendedJson(text);
  if (!parsed.ok) throw new Error(`fuzz seed: ${parsed.error}`);
  return parsed.value;
}

function textSeeds(lines: readonly string[]): Uint8Array[] {
  return lines.map((l) => utf8Encode(l));
}

function configDocuments(): BsonDocument[] {
  const full = configToDocument(defaultConfig(), { version: 1, timestamp: 0, uid: UID, sn: 'SN1' });
  return [
    { config: full, crc: 0 },
    ejsonDocument('{ "config": { "radio": { "mode": 2, "duration": 300 }, "scheduleRadio": [ { "cron": "0 3 * * *", "data": 300 } ] }, "crc": 0 }'),
    ejsonDocument('{ "config": { "remote": { "modem": { "mode": "LTE-M", "apn": "iot.sim", "timeout": 180 }, "ntp": "ntp.sim" } }, "crc": 0 }'),
  ];
}

function whitelistDocuments(): BsonDocument[] {
  return [
    ejsonDocument('{ "wlFilter": [ "12345678", "87654321" ], "crc": 0 }'),
    ejsonDocument('{ "wlFilter": [], "crc": 0 }'),
  ];
}

function commandDocuments(): BsonDocument[] {
  return MANUAL_COMMANDS.map((c) => ejsonDocument(c.json));
}

function seedDocuments(): BsonDocument[] {
  return [...configDocuments(), ...whitelistDocuments(), ...commandDocuments()];
}

/** A BSON-decoded document or undefined; the second stage (config, commands) parses what decodes. */
function decodedDocument(input: Uint8Array): BsonDocument | undefined {
  const r = decodeBson(input);
  return r.ok ? r.value : undefined;
}

function atLine(text: string): void {
  parseUrc(text);
  classifyFinal(text);
  parseCsq(text);
  parseQcsq(text);
  parseRegistration(text);
  parseRegistration(text, true);
  parseCops(text);
  parseQnwinfo(text);
  parseImei(text);
  parseQccid(text);
  parseCnum(text);
  parseCpin(text);
  parseQiopen(text);
  parseQsslopen(text);
  parseQird(text);
}

function imageSeeds(): Uint8Array[] {
  const payload = Uint8Array.from({ length: 64 }, (_, i) => i);
  const header = encodeImageHeader({ boardId: BOARD_ID, version: '1.2.0', versionNumber: 10200, payloadLength: payload.length, payloadSha256: new Uint8Array(32) });
  const whole = new Uint8Array(header.length + payload.length);
  whole.set(header, 0);
  whole.set(payload, header.length);
  return [header, whole];
}

function sntpSeeds(): Uint8Array[] {
  const request = buildRequest(SNTP_TIME_MS);
  return [
    request,
    buildReply({ stratum: 2, originate: msToNtp(SNTP_TIME_MS), receiveMs: SNTP_TIME_MS + SNTP_TRANSIT_MS, transmitMs: SNTP_TIME_MS + SNTP_TRANSIT_MS }),
    buildReply({ stratum: 0, referenceId: 'RATE', originate: msToNtp(SNTP_TIME_MS), receiveMs: SNTP_TIME_MS, transmitMs: SNTP_TIME_MS }),
  ];
}

function radioSeeds(telegrams: readonly Uint8Array[]): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  telegrams.forEach((frame, i) => {
    const stream = encodeStream(frame, LINK_MODES[i % LINK_MODES.length]);
    if (stream !== undefined) seeds.push(stream);
  });
  return seeds;
}

/** Every parser the device feeds from outside, with its seeds. */
export function fuzzTargets(telegrams: readonly Uint8Array[]): FuzzTarget[] {
  const docs = seedDocuments();
  const documents = docs.map((d) => encodeBson(d));
  const files = seedDocuments().map((d) => encodeFile(d, { encryption: false }));
  const radio = radioSeeds(telegrams);
  const sntpRequest = buildRequest(SNTP_TIME_MS);
  return [
    {
      name: 'radio chip stream (T1/C1)',
      seeds: radio,
      parse: (input) => {
        decodePhy(input, 'T1C1');
      },
    },
    {
      name: 'radio chip stream (S1)',
      seeds: radio,
      parse: (input) => {
        decodePhy(input, 'S1');
      },
    },
    {
      name: 'wM-Bus frame header',
      seeds: telegrams,
      parse: (input) => {
        parseHeader(input);
        parseHeader(input, { longHeader: false });
        filterIdentity(input, new Uint8Array(IDENTITY_BYTES));
      },
    },
    {
      name: 'BSON file',
      seeds: files,
      parse: (input) => {
        decodeFile(input, { encrypted: false });
        decodeBson(input);
      },
    },
    {
      name: 'configuration file',
      seeds: documents,
      documents: docs,
      parse: (input) => {
        const doc = decodedDocument(input);
        if (doc !== undefined) applyConfigFile(defaultConfig(), doc);
      },
    },
    {
      name: 'white-list file',
      seeds: documents,
      documents: docs,
      parse: (input) => {
        const doc = decodedDocument(input);
        if (doc !== undefined) parseWhitelistFile(doc);
      },
    },
    {
      name: 'command file',
      seeds: documents,
      documents: docs,
      parse: (input) => {
        const doc = decodedDocument(input);
        if (doc !== undefined) parseCommandFile(doc, UID);
      },
    },
    {
      name: 'AT reply stream',
      seeds: [textSeeds(AT_REPLIES.map((l) => `${l}\r\n`)).reduce(concat)],
      parse: (input) => {
        const reader = new AtLineReader((event) => {
          if (event.type === 'line') atLine(event.text);
        });
        reader.push(input);
      },
    },
    {
      name: 'AT reply line',
      seeds: textSeeds(AT_REPLIES),
      parse: (input) => atLine(utf8Decode(input)),
    },
    {
      name: 'FTP reply',
      seeds: textSeeds(FTP_REPLIES),
      parse: (input) => {
        const parser = new FtpReplyParser((reply) => {
          parsePasv(reply.text);
          parseEpsv(reply.text);
          parsePathname(reply.text);
        });
        parser.push(input);
        parseFtpReply(utf8Decode(input));
      },
    },
    {
      name: 'SNTP packet',
      seeds: sntpSeeds(),
      parse: (input) => {
        const r = parsePacket(input);
        if (r.ok) validateReply(r.value, sntpRequest);
      },
    },
    {
      name: 'MQTT packet stream',
      seeds: [...MQTT_PACKETS.map((p) => Uint8Array.from(p)), Uint8Array.from(MQTT_PACKETS.flat())],
      parse: (input) => {
        new MqttDecoder({ maxPacketSize: MQTT_MAX_PACKET }).push(input);
        new MqttDecoder({ maxPacketSize: MQTT_MAX_PACKET, decodeBody: decodeMqttFullBody }).push(input);
      },
    },
    {
      name: 'SMS (list and command)',
      seeds: textSeeds(SMS_LISTS),
      parse: (input) => {
        const lines = utf8Decode(input).split('\r\n');
        parseCmti(lines[0]);
        for (const m of parseCmglList(lines).messages) {
          senderAuthorised(m.sender, ['+33612345678']);
          parseSmsCommand(m.text, UID);
        }
      },
    },
    {
      name: 'firmware image header',
      seeds: imageSeeds(),
      parse: (input) => {
        parseImageHeader(input.subarray(0, IMAGE_HEADER_BYTES));
        const receiver = new ImageReceiver({ boardId: BOARD_ID, maxPayloadBytes: MQTT_MAX_PACKET, onPayload: () => undefined });
        receiver.push(input);
      },
    },
  ];
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function randomBytes(random: SimRandom, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = random.int(0, 0xff);
  return out;
}

/** One structural or bit-level change, the classic set: flip, set, insert, delete, repeat, cut, splice. */
function mutateOnce(input: Uint8Array, random: SimRandom, seeds: readonly Uint8Array[]): Uint8Array {
  const n = input.length;
  const at = random.int(0, Math.max(0, n - 1));
  switch (random.int(0, 7)) {
    case 0: {
      if (n === 0) return randomBytes(random, 1);
      const out = input.slice();
      out[at] ^= 1 << random.int(0, 7);
      return out;
    }
    case 1: {
      if (n === 0) return randomBytes(random, 1);
      const out = input.slice();
      out[at] = INTERESTING_BYTES[random.int(0, INTERESTING_BYTES.length - 1)];
      return out;
    }
    case 2:
      return concat(concat(input.subarray(0, at), randomBytes(random, random.int(1, 8))), input.subarray(at));
    case 3:
      return concat(input.subarray(0, at), input.subarray(Math.min(n, at + random.int(1, 16))));
    case 4: {
      const piece = input.subarray(at, Math.min(n, at + random.int(1, 16)));
      return concat(concat(input.subarray(0, at), piece), input.subarray(at));
    }
    case 5:
      return input.subarray(0, random.int(0, n));
    case 6: {
      const other = seeds[random.int(0, seeds.length - 1)];
      return concat(input.subarray(0, at), other.subarray(random.int(0, other.length)));
    }
    default: {
      if (n === 0) return randomBytes(random, 1);
      const out = input.slice();
      out[at] = random.int(0, 0xff);
      return out;
    }
  }
}

/** Values at the edges of what configuration and command fields take. */
function edgeValue(random: SimRandom): BsonValue {
  const values: BsonValue[] = [
    '',
    'x'.repeat(300),
    -1,
    0,
    2 ** 31 - 1,
    -(2 ** 31),
    new BsonDouble(1.5),
    new BsonDouble(Number.NaN),
    BigInt(2) ** BigInt(53),
    true,
    null,
    [],
    {},
    new BsonBinary(Uint8Array.of(1, 2, 3)),
    '*/0 * * * *',
    '0 3 * * *',
    'ftp.sim:99999',
    '\u0000',
  ];
  return values[random.int(0, values.length - 1)];
}

function isContainer(v: BsonValue): v is BsonValue[] | BsonDocument {
  return typeof v === 'object' && v !== null && !(v instanceof BsonBinary) && !(v instanceof BsonDouble);
}

/** A copy of `doc` with one value replaced, one key deleted or one key added, somewhere in its tree. */
function mutateDocument(doc: BsonDocument, random: SimRandom): BsonDocument {
  const copy = (v: BsonValue): BsonValue => {
    if (Array.isArray(v)) return v.map(copy);
    if (!isContainer(v)) return v;
    const out: BsonDocument = {};
    for (const k of Object.keys(v)) out[k] = copy(v[k]);
    return out;
  };
  const root = copy(doc) as BsonDocument;
  const nodes: (BsonValue[] | BsonDocument)[] = [];
  const walk = (v: BsonValue): void => {
    if (!isContainer(v)) return;
    nodes.push(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child);
  };
  walk(root);
  const node = nodes[random.int(0, nodes.length - 1)];
  const keys = Array.isArray(node) ? node.map((_, i) => String(i)) : Object.keys(node);
  const action = keys.length === 0 ? 2 : random.int(0, 2);
  const key = keys[random.int(0, Math.max(0, keys.length - 1))];
  if (Array.isArray(node)) {
    if (action === 0) node[Number(key)] = edgeValue(random);
    else if (action === 1) node.splice(Number(key), 1);
    else node.push(edgeValue(random));
  } else if (action === 0) node[key] = edgeValue(random);
  else if (action === 1) delete node[key];
  else node[keys.length === 0 || random.next() < 0.5 ? 'extra' : `${key}X`] = edgeValue(random);
  return root;
}

/** The `index`-th input of a target: every eighth plain random bytes, the rest mutated seeds. */
export function fuzzInput(target: FuzzTarget, random: SimRandom, index: number): Uint8Array {
  if (index % 8 === 7 || target.seeds.length === 0) return randomBytes(random, random.int(0, MAX_RANDOM_INPUT));
  const docs = target.documents;
  if (docs !== undefined && docs.length > 0 && index % 2 === 1) {
    let doc = docs[random.int(0, docs.length - 1)];
    for (let k = random.int(1, MAX_MUTATIONS); k > 0; k--) doc = mutateDocument(doc, random);
    return encodeBson(doc);
  }
  let input = target.seeds[random.int(0, target.seeds.length - 1)];
  for (let k = random.int(1, MAX_MUTATIONS); k > 0; k--) input = mutateOnce(input, random, target.seeds);
  return input;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Runs `inputs` inputs over the targets in turn; input i of target t is drawn from a stream derived
 * from the seed, t and i, so a crash is replayed from (seed, target, index) alone.
 */
export function runFuzz(options: FuzzOptions): FuzzReport {
  const targets = options.targets ?? fuzzTargets(options.telegrams);
  const bound = options.hangBoundMs ?? HANG_BOUND_MS;
  const perTarget: Record<string, number> = {};
  const crashList: FuzzCrash[] = [];
  let crashes = 0;
  let hangs = 0;
  let slowest = 0;
  for (let i = 0; i < options.inputs; i++) {
    const t = i % targets.length;
    const target = targets[t];
    const random = createRandom(deriveSeed(options.seed, FUZZ_STREAM, t, Math.floor(i / targets.length)));
    const input = fuzzInput(target, random, Math.floor(i / targets.length));
    perTarget[target.name] = (perTarget[target.name] ?? 0) + 1;
    const started = options.now();
    try {
      target.parse(input);
    } catch (error) {
      crashes++;
      if (crashList.length < MAX_KEPT_CRASHES) crashList.push({ target: target.name, error: describe(error), inputHex: hexOf(input) });
    }
    const took = options.now() - started;
    if (took > slowest) slowest = took;
    if (took > bound) hangs++;
  }
  return { inputs: options.inputs, perTarget, crashes, hangs, crashList, slowestMs: slowest };
}
