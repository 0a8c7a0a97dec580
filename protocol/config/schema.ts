import { freezeTable } from '../freeze';

/**
 * Every configuration variable of §4.2 and appendix 9.1 as data: where it lives, which BSON types
 * carry it, its default, its limits and whether `null` is a value. `apply.ts` validates files with
 * this table and `defaults.ts` builds the default configuration from it.
 *
 * Paths are relative to the file's `config` object, dot-separated (`remote.modem.timeout`).
 */

/** BSON element types as the decoder produces them (see protocol/bson/types.ts). */
export type BsonTypeName = 'int32' | 'int64' | 'double' | 'string' | 'bool' | 'null' | 'binary' | 'array' | 'document';

/**
 * How a value is validated and turned into its `Config` form.
 *  - int: integral number in [min, max]; `orZero` also admits 0 (the manual's "0: disabled").
 *  - enum: one of `values`; `aliases` maps other accepted spellings to a canonical value.
 *  - bool, text (`maxLength` characters, optional `format`), bytes (exact length).
 *  - pin: text, or a non-negative integer written in decimal (the §4.2.3.1 example sends `1234`).
 *  - codes: filter codes of `size` bytes, either one binary holding them back to back (as in the
 *    §4.2.2 example) or an array of one-code binaries; at most `maxCount`.
 *  - list: array of `item`, `minCount`–`maxCount` entries, optionally `distinct`.
 *  - oneOrList: a single `item`, or a `list` of them (multi-listening, NTP server list).
 *  - cron: a `mm hh dd MM DD` timer trigger (§4.2.5.1).
 *  - schedule: array of at most `maxCount` `{ cron, data }` documents.
 */
export type Check =
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly orZero?: boolean }
  | { readonly kind: 'enum'; readonly values: readonly (number | string)[]; readonly aliases?: Readonly<Record<string, string>> }
  | { readonly kind: 'bool' }
  | { readonly kind: 'text'; readonly maxLength: number; readonly format?: TextFormat }
  | { readonly kind: 'pin'; readonly maxLength: number }
  | { readonly kind: 'bytes'; readonly length: number }
  | { readonly kind: 'codes'; readonly size: CodeSize; readonly maxCount: number }
  | { readonly kind: 'list'; readonly item: Check; readonly minCount: number; readonly maxCount: number; readonly distinct?: boolean }
  | { readonly kind: 'oneOrList'; readonly item: Check; readonly list: ListCheck }
  | { readonly kind: 'cron' }
  | { readonly kind: 'schedule'; readonly maxCount: number; readonly data: Check; readonly dataRequired: boolean };

export type ListCheck = Extract<Check, { kind: 'list' }>;

/** Bytes of a filter code: a medium (1), an M-field (2) or a whole identity, M-field and A-field (8). */
export type CodeSize = 1 | 2 | 8;

/**
 * digits4: exactly four digits; phone: optional '+' then 1–16 digits; hostPort: `host[:port]`;
 * host: a host name or dotted IPv4 without port, '' stored as null (no server, as '' is for
 * `remote.ftp.addr`, §4.2.3.2); clientId: MQTT client identifier; topicPrefix: MQTT topic levels
 * without wildcards.
 */
export type TextFormat = 'digits4' | 'phone' | 'hostPort' | 'host' | 'clientId' | 'topicPrefix';

export type DefaultValue = number | string | boolean | null | readonly never[];

export interface FieldSpec {
  readonly path: string;
  readonly bson: readonly BsonTypeName[];
  readonly check: Check;
  /** Whether `null` is accepted. For codes and schedules null means "none" and is stored as []. */
  readonly nullable: boolean;
  readonly default: DefaultValue;
  /** Where the manual defines the field, and how the default was chosen when the manual is unclear. */
  readonly source: string;
}

const INTEGER: readonly BsonTypeName[] = ['int32', 'int64', 'double'];
const TEXT: readonly BsonTypeName[] = ['string'];
const BOOL: readonly BsonTypeName[] = ['bool'];

/** §4.2.5.1: each schedule holds up to 8 triggers. */
export const MAX_TRIGGERS = 8;
/** §4.2.2: at most 8 manufacturer codes and 8 medium codes. */
export const MAX_FILTER_CODES = 8;
/** Black-list entries: STG gateways hold up to 40 per filter list (peer manual, White/Black list menu). */
export const MAX_BLACKLIST_IDS = 40;
/** Lowest and highest `radio.minRssi` in dBm: the span a sub-GHz receiver reports. */
export const MIN_RSSI_FLOOR_DBM = -130;
export const MIN_RSSI_CEILING_DBM = -20;
/** `radio.suppression` in minutes: Lansen sets it in minutes or hours; a day at most. */
export const MAX_SUPPRESSION_MINUTES = 1440;
/**
 * Multi-listening (§4.2.2) gives one window per mode; the manual sets no count, so it is bounded by
 * the three distinct modes.
 */
export const MAX_LISTEN_MODES = 3;
/** Appendix 9.1: at most 4 phone numbers. */
export const MAX_PHONE_NUMBERS = 4;
/** §5.1.1.4 shows a two-entry NTP list; no other count is given. */
export const MAX_NTP_SERVERS = 2;
/** The manual gives no limit for the hub name; 64 characters like the other free texts. */
export const MAX_NAME_LENGTH = 64;
export const AES_KEY_LENGTH = 16;
/** Appendix 9.1: up to 16 digits, plus an optional leading '+'. */
const PHONE_MAX_CHARS = 17;
/** §4.2.3.1 and appendix 9.1 list of NB-IoT bands (the informative country table also shows 26, not allowed here). */
export const NB_IOT_BANDS: readonly number[] = freezeTable([1, 2, 3, 4, 5, 8, 12, 13, 18, 19, 20, 25, 28, 66, 85]);
export const MODEM_TECHS: readonly string[] = freezeTable(['2G', 'LTE-M', 'NB-IoT']);
/** The §4.2.3.1 example and the supervision file spell LTE-M without the hyphen. */
export const MODEM_TECH_ALIASES: Readonly<Record<string, string>> = freezeTable({ LTEM: 'LTE-M' });
/** Used when `remote.ntp` is null (§4.2.3.3). */
export const DEFAULT_NTP_SERVER = 'pool.ntp.org';
export const DEFAULT_NTP_PORT = 123;
export const DEFAULT_FTP_PORT = 21;
/** MQTT's IANA ports: 1883 plain, 8883 over TLS (`remote.mqtt.port` null). */
export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTTS_PORT = 8883;
/** MQTT 3.1.1 §3.1.3.1: every server accepts client identifiers of 1–23 characters. */
export const MAX_MQTT_CLIENT_ID_LENGTH = 23;
export const MAX_MQTT_PREFIX_LENGTH = 64;
export const UPLOAD_TRANSPORTS: readonly string[] = freezeTable(['ftp', 'mqtt', 'both']);
export const MQTT_PAYLOAD_FORMATS: readonly string[] = freezeTable(['lansen', 'json', 'bson']);
/** `security.tlsVerify`: verify the server when a CA is stored (auto), refuse TLS without a CA (required), never verify (off). */
export const TLS_VERIFY_POLICIES: readonly string[] = freezeTable(['auto', 'required', 'off']);
/** Where a product extension (not in the manual) is documented; its `source` starts with this. */
export const EXTENSION_SOURCE = 'product extension, docs/configuration.md';

const RADIO_MODE: Check = { kind: 'enum', values: [0, 1, 2] };
const WINDOW_SECONDS: Check = { kind: 'int', min: 1, max: 3600 };
const TRIGGER_WINDOW_SECONDS: Check = { kind: 'int', min: 30, max: 3600 };
const HOST_PORT: Check = { kind: 'text', maxLength: 64, format: 'hostPort' };
const MODEM_TECH: Check = { kind: 'enum', values: MODEM_TECHS, aliases: MODEM_TECH_ALIASES };
const FTP_FILE_BITS = 0x7;
const MAX_PORT = 65535;
const EXT = EXTENSION_SOURCE;

export const CONFIG_SCHEMA: readonly FieldSpec[] = freezeTable([
  {
    path: 'mode', bson: TEXT, check: { kind: 'enum', values: ['factorySettings', 'storage', 'run'] }, nullable: false,
    default: 'factorySettings', source: '§4.2.1; appendix gives no default, §3.1: a hub without configuration is in FACTORY SETTINGS',
  },
  {
    path: 'name', bson: TEXT, check: { kind: 'text', maxLength: MAX_NAME_LENGTH }, nullable: true,
    default: null, source: '§4.2.1; appendix gives no default or length',
  },
  { path: 'logLevel', bson: INTEGER, check: { kind: 'enum', values: [0, 1, 2, 3] }, nullable: false, default: 2, source: '§4.2.1, 9.1' },

  { path: 'local.magnet', bson: INTEGER, check: { kind: 'enum', values: [0, 1, 2] }, nullable: false, default: 0, source: '§4.2.1.1, 9.1' },
  { path: 'local.blePin', bson: TEXT, check: { kind: 'text', maxLength: 4, format: 'digits4' }, nullable: false, default: '1234', source: '§4.2.1.1, 9.1 (4-digit text)' },
  {
    path: 'local.whiteList', bson: ['array'],
    check: { kind: 'list', item: { kind: 'text', maxLength: PHONE_MAX_CHARS, format: 'phone' }, minCount: 0, maxCount: MAX_PHONE_NUMBERS },
    nullable: true, default: null, source: '§4.2.1.1, 9.1 (max 4 numbers of up to 16 digits; null: all numbers allowed)',
  },
  { path: 'local.testCount', bson: INTEGER, check: { kind: 'int', min: 1, max: 30 }, nullable: false, default: 1, source: '§4.2.1.1, 9.1' },
  { path: 'local.timeout', bson: INTEGER, check: { kind: 'int', min: 60, max: 3600, orZero: true }, nullable: false, default: 0, source: '§4.2.1.1, 9.1 (0: disabled)' },

  { path: 'security.crcMode', bson: INTEGER, check: { kind: 'enum', values: [0, 1, 2] }, nullable: false, default: 1, source: '§4.2.1.2, 9.1' },
  { path: 'security.encryption', bson: BOOL, check: { kind: 'bool' }, nullable: false, default: false, source: '§4.2.1.2, 9.1' },
  { path: 'security.key', bson: ['binary'], check: { kind: 'bytes', length: AES_KEY_LENGTH }, nullable: true, default: null, source: '§4.2.1.2, 9.1' },
  {
    path: 'security.tlsVerify', bson: TEXT, check: { kind: 'enum', values: TLS_VERIFY_POLICIES }, nullable: false, default: 'auto',
    source: `${EXT} (auto: verify FTPS and MQTTS servers once a CA is stored, the behaviour before it existed)`,
  },

  {
    path: 'radio.mode', bson: [...INTEGER, 'array'],
    check: { kind: 'oneOrList', item: RADIO_MODE, list: { kind: 'list', item: RADIO_MODE, minCount: 1, maxCount: MAX_LISTEN_MODES, distinct: true } },
    nullable: false, default: 2, source: '§4.2.2, 9.1 (array: multi-listening)',
  },
  {
    path: 'radio.duration', bson: [...INTEGER, 'array'],
    check: { kind: 'oneOrList', item: WINDOW_SECONDS, list: { kind: 'list', item: WINDOW_SECONDS, minCount: 1, maxCount: MAX_LISTEN_MODES } },
    nullable: false, default: 60, source: '§4.2.2, 9.1 (array: multi-listening)',
  },
  {
    path: 'radio.manufFilter', bson: ['binary', 'array'], check: { kind: 'codes', size: 2, maxCount: MAX_FILTER_CODES },
    nullable: true, default: [], source: '§4.2.2, 9.1 (no default: no filter)',
  },
  {
    path: 'radio.mediumFilter', bson: ['binary', 'array'], check: { kind: 'codes', size: 1, maxCount: MAX_FILTER_CODES },
    nullable: true, default: [], source: '§4.2.2, 9.1 (no default: no filter)',
  },
  { path: 'radio.BFormatLFieldAdaptation', bson: BOOL, check: { kind: 'bool' }, nullable: false, default: true, source: '§4.2.2, 4.2.2.2, 9.1' },
  { path: 'radio.longHeader', bson: BOOL, check: { kind: 'bool' }, nullable: false, default: true, source: '§4.2.2, 9.1' },
  { path: 'radio.skipVersionField', bson: BOOL, check: { kind: 'bool' }, nullable: false, default: false, source: '§4.2.2, 9.1' },
  { path: 'radio.skipMediumField', bson: BOOL, check: { kind: 'bool' }, nullable: false, default: false, source: '§4.2.2, 9.1' },
  {
    path: 'radio.blackList', bson: ['binary', 'array'], check: { kind: 'codes', size: 8, maxCount: MAX_BLACKLIST_IDS },
    nullable: true, default: [], source: `${EXT} (identities never recorded, as STG's black list; none by default)`,
  },
  {
    path: 'radio.minRssi', bson: INTEGER, check: { kind: 'int', min: MIN_RSSI_FLOOR_DBM, max: MIN_RSSI_CEILING_DBM, orZero: true },
    nullable: true, default: null, source: `${EXT} (dBm; Lansen's min install RSSI; null or 0: not used)`,
  },
  {
    path: 'radio.suppression', bson: INTEGER, check: { kind: 'int', min: 1, max: MAX_SUPPRESSION_MINUTES, orZero: true },
    nullable: false, default: 0, source: `${EXT} (minutes, Lansen's suppression timer; 0: not used)`,
  },

  {
    path: 'remote.modem.mode', bson: TEXT, check: { kind: 'enum', values: [...MODEM_TECHS, 'auto'], aliases: MODEM_TECH_ALIASES },
    nullable: false, default: 'auto', source: '§4.2.3.1 (NB-IoT is missing from 9.1, added in V2.0)',
  },
  {
    path: 'remote.modem.scanseq', bson: ['array'], check: { kind: 'list', item: MODEM_TECH, minCount: 1, maxCount: MODEM_TECHS.length, distinct: true },
    nullable: true, default: null, source: '§4.2.3.1 example and 9.1 spell it scanseq (the §4.2.3.1 table: scansq); no default',
  },
  {
    path: 'remote.modem.band', bson: ['array'], check: { kind: 'list', item: { kind: 'enum', values: NB_IOT_BANDS }, minCount: 1, maxCount: NB_IOT_BANDS.length, distinct: true },
    nullable: true, default: null, source: '§4.2.3.1, 9.1 (absent: all bands)',
  },
  { path: 'remote.modem.deregisterOnLocalAction', bson: BOOL, check: { kind: 'bool' }, nullable: false, default: false, source: '§4.2.3.1, 9.1' },
  { path: 'remote.modem.cpin', bson: [...INTEGER, 'string'], check: { kind: 'pin', maxLength: 8 }, nullable: true, default: null, source: '§4.2.3.1, 9.1' },
  { path: 'remote.modem.apn', bson: TEXT, check: { kind: 'text', maxLength: 32 }, nullable: true, default: null, source: '§4.2.3.1, 9.1' },
  { path: 'remote.modem.user', bson: TEXT, check: { kind: 'text', maxLength: 32 }, nullable: true, default: null, source: '§4.2.3.1 example and 9.1 (the §4.2.3.1 table: use)' },
  { path: 'remote.modem.pass', bson: TEXT, check: { kind: 'text', maxLength: 32 }, nullable: true, default: null, source: '§4.2.3.1, 9.1' },
  { path: 'remote.modem.timeout', bson: INTEGER, check: { kind: 'int', min: 60, max: 1800 }, nullable: false, default: 300, source: '§4.2.3.1, 9.1' },
  { path: 'remote.modem.randomDelay', bson: INTEGER, check: { kind: 'int', min: 0, max: 60 }, nullable: false, default: 0, source: '§4.2.3.1, 9.1' },

  { path: 'remote.ftp.mode', bson: INTEGER, check: { kind: 'enum', values: [0, 1] }, nullable: false, default: 0, source: '§4.2.3.2, 9.1' },
  { path: 'remote.ftp.addr', bson: TEXT, check: HOST_PORT, nullable: true, default: null, source: '§4.2.3.2, 9.1' },
  { path: 'remote.ftp.user', bson: TEXT, check: { kind: 'text', maxLength: 32 }, nullable: true, default: null, source: '§4.2.3.2, 9.1' },
  { path: 'remote.ftp.pass', bson: TEXT, check: { kind: 'text', maxLength: 32 }, nullable: true, default: null, source: '§4.2.3.2, 9.1' },
  { path: 'remote.ftp.dir', bson: TEXT, check: { kind: 'text', maxLength: 64 }, nullable: true, default: null, source: '§4.2.3.2, 9.1 (null: account root)' },
  {
    path: 'remote.ntp', bson: ['string', 'array'],
    check: { kind: 'oneOrList', item: HOST_PORT, list: { kind: 'list', item: HOST_PORT, minCount: 1, maxCount: MAX_NTP_SERVERS } },
    nullable: true, default: null, source: '§4.2.3.3, 9.1 (default null, which §4.2.3.3 resolves to pool.ntp.org); list form from §5.1.1.4',
  },

  { path: 'remote.mqtt.addr', bson: TEXT, check: { kind: 'text', maxLength: 64, format: 'host' }, nullable: true, default: null, source: `${EXT} (64 characters like remote.ftp.addr; '' or null: no broker)` },
  { path: 'remote.mqtt.port', bson: INTEGER, check: { kind: 'int', min: 1, max: MAX_PORT }, nullable: true, default: null, source: `${EXT} (null: 1883, 8883 with tls)` },
  { path: 'remote.mqtt.tls', bson: BOOL, check: { kind: 'bool' }, nullable: false, default: false, source: EXT },
  { path: 'remote.mqtt.user', bson: TEXT, check: { kind: 'text', maxLength: 32 }, nullable: true, default: null, source: `${EXT} (32 characters like remote.ftp.user)` },
  { path: 'remote.mqtt.pass', bson: TEXT, check: { kind: 'text', maxLength: 32 }, nullable: true, default: null, source: `${EXT} (32 characters like remote.ftp.pass)` },
  {
    path: 'remote.mqtt.clientId', bson: TEXT, check: { kind: 'text', maxLength: MAX_MQTT_CLIENT_ID_LENGTH, format: 'clientId' }, nullable: true,
    default: null, source: `${EXT} (MQTT 3.1.1 §3.1.3.1; null: the uid)`,
  },
  {
    path: 'remote.mqtt.prefix', bson: TEXT, check: { kind: 'text', maxLength: MAX_MQTT_PREFIX_LENGTH, format: 'topicPrefix' }, nullable: false,
    default: 'wmbus', source: `${EXT} (MQTT 3.1.1 §4.7: no wildcards in a topic name)`,
  },
  { path: 'remote.mqtt.format', bson: TEXT, check: { kind: 'enum', values: MQTT_PAYLOAD_FORMATS }, nullable: false, default: 'lansen', source: EXT },
  { path: 'remote.mqtt.qos', bson: INTEGER, check: { kind: 'enum', values: [0, 1] }, nullable: false, default: 1, source: `${EXT} (QoS 2 is not supported)` },
  { path: 'remote.mqtt.listen', bson: INTEGER, check: { kind: 'int', min: 0, max: 600 }, nullable: false, default: 30, source: `${EXT} (Lansen's default)` },
  { path: 'remote.mqtt.keepAlive', bson: INTEGER, check: { kind: 'int', min: 10, max: 1800 }, nullable: false, default: 60, source: EXT },
  { path: 'remote.mqtt.cleanSession', bson: BOOL, check: { kind: 'bool' }, nullable: false, default: false, source: EXT },
  { path: 'remote.transport', bson: TEXT, check: { kind: 'enum', values: UPLOAD_TRANSPORTS }, nullable: false, default: 'ftp', source: `${EXT} (ftp: the manual's behaviour)` },

  { path: 'alarms.oneAlarmPerDay', bson: BOOL, check: { kind: 'bool' }, nullable: false, default: true, source: '§4.2.4, 9.1 (default stated in the description)' },
  { path: 'alarms.temperature', bson: INTEGER, check: { kind: 'int', min: 10, max: 50, orZero: true }, nullable: true, default: null, source: '§4.2.4, 9.1' },
  { path: 'alarms.timeGap', bson: INTEGER, check: { kind: 'int', min: 2, max: 3600, orZero: true }, nullable: true, default: null, source: '§4.2.4, 9.1' },
  { path: 'alarms.battery', bson: INTEGER, check: { kind: 'int', min: 10, max: 99, orZero: true }, nullable: true, default: null, source: '§4.2.4, 9.1' },

  {
    path: 'scheduleRadio', bson: ['array'],
    check: {
      kind: 'schedule', maxCount: MAX_TRIGGERS, dataRequired: false,
      data: { kind: 'oneOrList', item: TRIGGER_WINDOW_SECONDS, list: { kind: 'list', item: TRIGGER_WINDOW_SECONDS, minCount: 1, maxCount: MAX_LISTEN_MODES } },
    },
    nullable: true, default: [], source: '§4.2.5.1.1, 9.1 (no default: no trigger)',
  },
  {
    path: 'scheduleFTP', bson: ['array'],
    check: { kind: 'schedule', maxCount: MAX_TRIGGERS, dataRequired: true, data: { kind: 'int', min: 0, max: FTP_FILE_BITS } },
    nullable: true, default: [], source: '§4.2.5.1.2, 9.1 (no default: no trigger)',
  },
  { path: 'monitoringPeriod', bson: INTEGER, check: { kind: 'int', min: 15, max: 1440, orZero: true }, nullable: true, default: 60, source: '§4.2.5.2, 9.1' },
]);

/**
 * Fields the hub writes into its /CONFIG copy (appendix 9.1 "info only"). §4.2 lets that copy be
 * sent back as a configuration, so they are accepted with any value and ignored.
 */
export const INFO_ONLY_FIELDS: readonly string[] = freezeTable(['version', 'timestamp', 'uid', 'sn']);

/** The objects that group fields (`local`, `remote.modem`, …), parents before children. */
export const CONFIG_GROUPS: readonly string[] = freezeTable(groupsOf(CONFIG_SCHEMA));

function groupsOf(schema: readonly FieldSpec[]): string[] {
  const groups: string[] = [];
  for (const spec of schema) {
    const parts = spec.path.split('.');
    for (let i = 1; i < parts.length; i++) {
      const group = parts.slice(0, i).join('.');
      if (!groups.includes(group)) groups.push(group);
    }
  }
  return groups;
}

export function fieldSpec(path: string): FieldSpec | undefined {
  return CONFIG_SCHEMA.find((s) => s.path === path);
}
