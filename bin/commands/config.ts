import { basename } from 'path';
import { stringifyExtendedJson } from '../../protocol/bson/ejson';
import { Outcome, configAckDocument } from '../../protocol/config/ack';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { WHITELIST_FILE_SUFFIXES, parseWhitelistFile } from '../../protocol/config/whitelist';
import { ENCRYPTED_SUFFIX } from '../../protocol/files/codec';
import { FileSource } from '../../protocol/files/header';
import { configErrors } from './config-errors';
import { loadConfigTypeFile } from './config-file';
import { parseArgs, parseKeyArgument } from './filekey';

const USAGE = [
  'usage: wmbus config check FILE [--current FILE] [--key BASE64|HEX] [--uid UID] [--source ftp|usb|ble] [--ts SECONDS]',
  '  FILE: <uid>-cfg.bson[.aes], a white list <uid>-wlFilter.bson[.aes], or the same in extended JSON (.json)',
  '  --current: the configuration it applies to (a /CONFIG copy or any configuration file), default: factory defaults',
].join('\n');
const EXIT_ACCEPTED = 0;
const EXIT_REJECTED = 1;
const EXIT_USAGE = 2;
const SOURCES: readonly FileSource[] = ['ftp', 'usb', 'ble'];
const MS_PER_SECOND = 1000;

function stem(name: string): string {
  const plain = name.endsWith(ENCRYPTED_SUFFIX) ? name.slice(0, -ENCRYPTED_SUFFIX.length) : name;
  return plain.replace(/\.(bson|json)$/, '');
}

function isWhitelistName(name: string): boolean {
  const s = stem(name);
  return WHITELIST_FILE_SUFFIXES.some((suffix) => s.endsWith(suffix.replace(/\.bson$/, '')));
}

/** `<uid>-cfg…` or `<uid>-wlFilter…` → uid. */
function uidFromName(name: string): string | undefined {
  const match = /^(.+)-(cfg|wlFilter|wFilter)$/.exec(stem(name));
  return match === null ? undefined : match[1];
}

/**
 * `wmbus config check FILE`: prints the ACK file (§5.5) the hub would write for FILE, as extended
 * JSON; exit 0 when the hub would apply it, 1 when it would refuse it.
 */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parseArgs(rest, ['--current', '--key', '--uid', '--source', '--ts']);
  if (sub !== 'check' || parsed.error !== undefined || parsed.positional.length !== 1) {
    process.stderr.write(`${parsed.error ?? (sub === 'check' ? 'one FILE expected' : `unknown subcommand ${sub ?? ''}`)}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const [path] = parsed.positional;
  const name = basename(path);
  const keyText = parsed.options.get('--key');
  const key = keyText === undefined ? undefined : parseKeyArgument(keyText);
  if (typeof key === 'string') {
    process.stderr.write(`${key}\n`);
    return EXIT_USAGE;
  }
  const source = (parsed.options.get('--source') ?? 'ftp') as FileSource;
  if (!SOURCES.includes(source)) {
    process.stderr.write(`--source: expected ${SOURCES.join(', ')}\n`);
    return EXIT_USAGE;
  }
  const tsText = parsed.options.get('--ts');
  if (tsText !== undefined && !/^[0-9]+$/.test(tsText)) {
    process.stderr.write('--ts: expected seconds since 1970\n');
    return EXIT_USAGE;
  }
  const timeSec = tsText === undefined ? Math.floor(Date.now() / MS_PER_SECOND) : Number(tsText);

  let current = defaultConfig();
  const currentPath = parsed.options.get('--current');
  if (currentPath !== undefined) {
    const base = loadConfigTypeFile(currentPath, current, key);
    if (base.ok === 'unreadable') {
      process.stderr.write(`--current: ${base.error}\n`);
      return EXIT_USAGE;
    }
    const applied = base.ok ? applyConfigFile(current, base.doc) : base;
    if (!applied.ok) {
      process.stderr.write(`--current ${currentPath}: ${applied.field}: ${applied.reason}\n`);
      return EXIT_USAGE;
    }
    current = applied.config;
  }

  const loaded = loadConfigTypeFile(path, current, key);
  if (loaded.ok === 'unreadable') {
    process.stderr.write(`error: ${loaded.error}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  let outcome: Outcome;
  if (!loaded.ok) outcome = loaded;
  else if (isWhitelistName(name)) {
    const list = parseWhitelistFile(loaded.doc);
    if (list.ok) process.stderr.write(list.erased ? 'white list erased\n' : `white list: ${list.ids.length} meters\n`);
    outcome = list;
  } else {
    const applied = applyConfigFile(current, loaded.doc);
    if (applied.ok) process.stderr.write(`changed: ${applied.changed.length === 0 ? '(nothing)' : applied.changed.join(', ')}\n`);
    else {
      // The ACK names the first error, as the device's does; the operator gets every one.
      const errors = configErrors(current, loaded.doc);
      process.stderr.write(`${errors.length} error${errors.length === 1 ? '' : 's'} (the ACK names the first):\n`);
      for (const e of errors) process.stderr.write(`  ${e.field}: ${e.reason}\n`);
    }
    outcome = applied;
  }
  const uid = parsed.options.get('--uid') ?? uidFromName(name) ?? '';
  process.stdout.write(stringifyExtendedJson(configAckDocument({ uid, source, timeSec }, name, outcome)) + '\n');
  return outcome.ok ? EXIT_ACCEPTED : EXIT_REJECTED;
}
