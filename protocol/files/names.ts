import { freezeTable } from '../freeze';

/**
 * File names exchanged with the server (§5.1.1.2) and the USB drive (§2.4.5).
 *  - outgoing: `<uid>-<timestamp>-<kind>.bson`, `<timestamp>` in decimal seconds since 1970-01-01 UTC
 *    (§5.2 example `123456-1591083697-config.bson`)
 *  - incoming: `<uid>-cfg.bson`, `<uid>-wlFilter.bson`, `<uid>-cmd.bson`, `<uid>-<num>-cmd.bson`
 *  - with file encryption on, `.aes` is appended to the whole name (§4.2.1.2: `….bson.aes`)
 */

export type OutboxKind = 'config' | 'data' | 'alarm' | 'ack' | 'supervision' | 'log';

/** Server directory of each outgoing kind (§5.1.1.2 table). */
export const OUTBOX_DIRECTORY: Readonly<Record<OutboxKind, string>> = freezeTable({
  config: '/CONFIG',
  data: '/DATA',
  alarm: '/ALARM',
  ack: '/ALARM',
  supervision: '/SUPERVISION',
  log: '/SUPERVISION',
});

const OUTBOX_KINDS: readonly OutboxKind[] = freezeTable(['config', 'data', 'alarm', 'ack', 'supervision', 'log']);

export const BSON_EXTENSION = '.bson';
/** §4.2.1.2: appended after `.bson` when file encryption is on. */
export const AES_EXTENSION = '.aes';

export interface OutboxName {
  readonly uid: string;
  /** Seconds since 1970-01-01 UTC. */
  readonly timeSec: number;
  readonly kind: OutboxKind;
  readonly encrypted: boolean;
}

function extension(encrypted: boolean): string {
  return encrypted ? BSON_EXTENSION + AES_EXTENSION : BSON_EXTENSION;
}

/** Strips `.bson` or `.bson.aes`; undefined when the name has neither. */
function stripExtension(name: string): { stem: string; encrypted: boolean } | undefined {
  if (name.endsWith(BSON_EXTENSION + AES_EXTENSION)) {
    return { stem: name.slice(0, -(BSON_EXTENSION.length + AES_EXTENSION.length)), encrypted: true };
  }
  if (name.endsWith(BSON_EXTENSION)) return { stem: name.slice(0, -BSON_EXTENSION.length), encrypted: false };
  return undefined;
}

/** `<uid>-<timestamp>-<kind>.bson[.aes]`. `timeSec` is truncated to whole seconds. */
export function outboxName(uid: string, timeSec: number, kind: OutboxKind, encrypted = false): string {
  return `${uid}-${Math.floor(timeSec)}-${kind}${extension(encrypted)}`;
}

// A RegExp made at module load is preloaded, and SDK 8.2.3 XS corrupts the heap executing one
// (docs/conventions.md, "Preloading"): the literal stays inside the function, compiled when it runs.
function isDecimal(text: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(text);
}

/** Reads back an outgoing name (the simulated server and the outbox sort on it). */
export function parseOutboxName(name: string): OutboxName | undefined {
  const stripped = stripExtension(name);
  if (stripped === undefined) return undefined;
  const kindDash = stripped.stem.lastIndexOf('-');
  const tsDash = stripped.stem.lastIndexOf('-', kindDash - 1);
  if (kindDash <= 0 || tsDash <= 0) return undefined;
  const kind = OUTBOX_KINDS.find((k) => k === stripped.stem.slice(kindDash + 1));
  const ts = stripped.stem.slice(tsDash + 1, kindDash);
  if (kind === undefined || !isDecimal(ts)) return undefined;
  return { uid: stripped.stem.slice(0, tsDash), timeSec: Number(ts), kind, encrypted: stripped.encrypted };
}

/** What an incoming file asks for. */
export type InboxKind = 'cfg' | 'wlFilter' | 'cmd';

export interface InboxName {
  readonly name: string;
  readonly kind: InboxKind;
  /** `<num>` of a numbered command file; undefined for `<uid>-cmd.bson`. */
  readonly num: number | undefined;
  readonly encrypted: boolean;
}

/**
 * Suffixes after `<uid>-`. §4.2.2.1 spells the white-list file both `wlFilter` and `wFilter`;
 * both are read as the white list.
 */
const INBOX_SUFFIXES: readonly { readonly suffix: string; readonly kind: InboxKind }[] = freezeTable([
  { suffix: 'cfg', kind: 'cfg' },
  { suffix: 'wlFilter', kind: 'wlFilter' },
  { suffix: 'wFilter', kind: 'wlFilter' },
  { suffix: 'cmd', kind: 'cmd' },
]);

function matchNumberedCommand(stem: string): RegExpExecArray | null {
  return /^([0-9]{1,9})-cmd$/.exec(stem);
}

/**
 * Recognises an incoming file addressed to `uid`. Anything else (another hub's file, a firmware
 * image or certificate waiting for its command) is undefined.
 */
export function parseInboxName(name: string, uid: string): InboxName | undefined {
  const prefix = uid + '-';
  if (uid.length === 0 || !name.startsWith(prefix)) return undefined;
  const stripped = stripExtension(name.slice(prefix.length));
  if (stripped === undefined) return undefined;
  const { stem, encrypted } = stripped;
  const plain = INBOX_SUFFIXES.find((s) => s.suffix === stem);
  if (plain !== undefined) return { name, kind: plain.kind, num: undefined, encrypted };
  const numbered = matchNumberedCommand(stem);
  if (numbered !== null) return { name, kind: 'cmd', num: Number(numbered[1]), encrypted };
  return undefined;
}

/** The names `parseInboxName` reads, for the ACK of a misnamed file. */
export function expectedInboxNames(uid: string): string {
  return `expected ${uid}-cfg.bson, ${uid}-wlFilter.bson, ${uid}-cmd.bson or ${uid}-<1-9 digits>-cmd.bson, with .aes when encrypted`;
}

/** Case folded, every white space (U+0020, tabs, U+00A0, ...) dropped. */
function squeezed(text: string): string {
  return text.replace(/\s+/g, '').toLowerCase();
}

/**
 * A file meant for `uid` that `parseInboxName` cannot read: once case is folded and white space
 * dropped, it starts with `<uid>-` and ends with `.bson` or `.bson.aes` (`<uid>-CFG.bson`,
 * `<uid>-cfg (1).bson`, `<uid>-1234567890-cmd.bson`, ` <uid>-cmd .bson`). A well-formed name, another
 * hub's file (`<other>-cfg.bson`), anything else (firmware image, certificate) and the box's own
 * outgoing names (`<uid>-<ts>-ack.bson` written back to the USB drive) are not.
 */
export function isMisnamedInbox(name: string, uid: string): boolean {
  if (uid.length === 0 || parseInboxName(name, uid) !== undefined) return false;
  const own = parseOutboxName(name);
  if (own !== undefined && own.uid === uid) return false;
  const folded = squeezed(name);
  if (!folded.startsWith(squeezed(uid) + '-')) return false;
  return folded.endsWith(BSON_EXTENSION) || folded.endsWith(BSON_EXTENSION + AES_EXTENSION);
}

/** Rank of each kind in a batch: configuration first so commands run against it, then the white list. */
const KIND_RANK: Readonly<Record<InboxKind, number>> = freezeTable({ cfg: 0, wlFilter: 1, cmd: 2 });

function compareInbox(a: InboxName, b: InboxName): number {
  if (a.kind !== b.kind) return KIND_RANK[a.kind] - KIND_RANK[b.kind];
  // §5.6: `<num>` sequences commands; the unnumbered file comes before the numbered ones.
  const an = a.num === undefined ? -1 : a.num;
  const bn = b.num === undefined ? -1 : b.num;
  if (an !== bn) return an - bn;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The incoming files of one batch in processing order: `cfg`, white list, `<uid>-cmd`, then
 * `<uid>-<num>-cmd` by increasing number (2 before 10). Unrecognised names are left out.
 */
export function orderInbox(names: readonly string[], uid: string): InboxName[] {
  const parsed: InboxName[] = [];
  for (const name of names) {
    const p = parseInboxName(name, uid);
    if (p !== undefined) parsed.push(p);
  }
  return parsed.sort(compareInbox);
}
