import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startXs, type XsWorker } from './xsnap.node';

/**
 * An xsnap worker (the XS engine the simulator runs in) with the ESP32 firmware's C kernels
 * (native/wmbus_kernels.c) linked in and bound as a global `wmbusNative`: the same C functions,
 * the same xsmc bindings, called from the same TypeScript. The bench meters the receive path with
 * them, and a test holds them to the portable kernels inside XS.
 *
 * The worker is the npm package's own xsnap-worker.c with the kernels' callbacks added, compiled
 * with the package's release flags and linked with the XS objects its install left behind (or,
 * if those are gone, with XS compiled from the package's sources). The binary is cached by
 * content hash.
 */
const ROOT = path.resolve(__dirname, '../..');
const XSNAP = path.join(ROOT, 'node_modules/@agoric/xsnap');
const MODDABLE = path.join(XSNAP, 'moddable');
const WORKER_DIR = path.join(XSNAP, 'xsnap-native/xsnap');
const WORKER_MK = path.join(WORKER_DIR, 'makefiles/lin/xsnap-worker.mk');
const PREBUILT = path.join(WORKER_DIR, 'build/tmp/lin/release/xsnap-worker');
const CACHE = path.join(ROOT, 'node_modules/.cache/wmbus-xsnap');
const KERNELS_C = path.join(ROOT, 'native/wmbus_kernels.c');
const INSTALLER_C = path.join(__dirname, 'wmbus-xsnap.c');
const KERNEL_CALLBACKS = ['xs_wmbus_crc16', 'xs_wmbus_decode_3of6', 'xs_wmbus_decode_manchester', 'xs_wmbus_strip_blocks_a', 'xs_wmbus_crc16_ccitt', 'xs_wmbus_filter_identity', 'xs_wmbus_probe_keys'];

const run = promisify(execFile);

/** xsnap-worker.mk's release flags. */
function compileFlags(version: string): string[] {
  const xs = path.join(MODDABLE, 'xs');
  return [
    '-fno-common',
    '-DINCLUDE_XSPLATFORM',
    '-DXSPLATFORM="xsnapPlatform.h"',
    `-DXSNAP_VERSION="${version}"`,
    '-DXSNAP_TEST_RECORD=0',
    '-DmxLockdown=1',
    '-DmxMetering=1',
    '-DmxDebug=1',
    '-UmxInstrument',
    '-DmxNoConsole=1',
    '-DmxBoundsCheck=1',
    '-DmxParse=1',
    '-DmxRun=1',
    '-DmxSloppy=1',
    '-DmxSnapshot=1',
    '-DmxRegExpUnicodePropertyEscapes=1',
    '-DmxStringNormalize=1',
    '-DmxMinusZero=1',
    `-I${path.join(xs, 'includes')}`,
    `-I${path.join(xs, 'platforms')}`,
    `-I${path.join(xs, 'sources')}`,
    `-I${path.join(WORKER_DIR, 'sources')}`,
    '-Wno-misleading-indentation',
    '-Wno-implicit-fallthrough',
    '-O3',
  ];
}

/** The worker source with the kernels' callbacks registered for snapshots and installed as a global. */
function patchedWorker(source: string): string {
  const edits: [string, string][] = [
    ['extern void modInstallBase64(xsMachine *the);', 'extern void modInstallBase64(xsMachine *the);\n' + KERNEL_CALLBACKS.map((c) => `extern void ${c}(xsMachine *the);`).join('\n') + '\nextern void wmbusInstallKernels(xsMachine *the);'],
    ['#define mxSnapshotCallbackCount 18', `#define mxSnapshotCallbackCount ${18 + KERNEL_CALLBACKS.length}`],
    ['\tfx_harden, // 17', '\tfx_harden, // 17\n' + KERNEL_CALLBACKS.map((c) => `\t${c},`).join('\n')],
    ['\tmodInstallBase64(the);', '\tmodInstallBase64(the);\n\twmbusInstallKernels(the);'],
  ];
  let out = source;
  for (const [anchor, replacement] of edits) {
    if (out.split(anchor).length !== 2) throw new Error(`wmbus-xsnap: xsnap-worker.c changed, no single "${anchor}"`);
    out = out.replace(anchor, replacement);
  }
  return out;
}

/** The object files xsnap-worker.mk links, other than the worker's own. */
function xsObjectNames(): string[] {
  const mk = fs.readFileSync(WORKER_MK, 'utf8');
  return [...mk.matchAll(/\$\(TMP_DIR\)\/([\w-]+)\.o/g)].map((m) => m[1]).filter((n, i, all) => n !== 'xsnap-worker' && all.indexOf(n) === i);
}

const SOURCE_DIRS = [
  path.join(MODDABLE, 'xs/sources'),
  path.join(WORKER_DIR, 'sources'),
  path.join(MODDABLE, 'modules/data/text/decoder'),
  path.join(MODDABLE, 'modules/data/text/encoder'),
  path.join(MODDABLE, 'modules/data/base64'),
];

async function compile(source: string, object: string, flags: readonly string[]): Promise<void> {
  await run('cc', [source, ...flags, '-c', '-o', object], { maxBuffer: 16 * 1024 * 1024 });
}

async function build(binary: string, version: string): Promise<void> {
  const work = fs.mkdtempSync(path.join(CACHE, 'build-'));
  try {
    const flags = compileFlags(version);
    const worker = path.join(work, 'xsnap-worker.c');
    fs.writeFileSync(worker, patchedWorker(fs.readFileSync(path.join(WORKER_DIR, 'sources/xsnap-worker.c'), 'utf8')));
    const objects: string[] = [];
    for (const [source, name] of [[worker, 'xsnap-worker'], [KERNELS_C, 'wmbus_kernels'], [INSTALLER_C, 'wmbus-xsnap']] as const) {
      const object = path.join(work, name + '.o');
      await compile(source, object, flags);
      objects.push(object);
    }
    for (const name of xsObjectNames()) {
      const prebuilt = path.join(PREBUILT, name + '.o');
      if (fs.existsSync(prebuilt)) {
        objects.push(prebuilt);
        continue;
      }
      const dir = SOURCE_DIRS.find((d) => fs.existsSync(path.join(d, name + '.c')));
      if (dir === undefined) throw new Error(`wmbus-xsnap: no source for ${name}.o`);
      const object = path.join(work, name + '.o');
      await compile(path.join(dir, name + '.c'), object, flags);
      objects.push(object);
    }
    const linked = path.join(work, 'xsnap-worker');
    await run('cc', ['-rdynamic', ...objects, '-ldl', '-lm', '-lpthread', '-o', linked]);
    fs.renameSync(linked, binary);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Path of the worker binary with the kernels, built on first use (needs a C compiler). */
export async function wmbusXsnapBinary(): Promise<string> {
  const version = (JSON.parse(fs.readFileSync(path.join(XSNAP, 'package.json'), 'utf8')) as { version: string }).version;
  const hash = createHash('sha256');
  for (const f of [KERNELS_C, INSTALLER_C, path.join(WORKER_DIR, 'sources/xsnap-worker.c'), __filename]) hash.update(fs.readFileSync(f));
  hash.update(version);
  const binary = path.join(CACHE, `xsnap-worker-${hash.digest('hex').slice(0, 16)}`);
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(CACHE, { recursive: true });
    await build(binary, version);
  }
  return binary;
}

/** `startXs`, in the worker that has the kernels. */
export async function startXsWithKernels(name: string, handleCommand: (request: Uint8Array) => Promise<Uint8Array>): Promise<XsWorker> {
  const binary = await wmbusXsnapBinary();
  const spawnWorker = (_bin: string, args: readonly string[], options: object) => spawn(binary, args, options);
  return startXs(name, handleCommand, spawnWorker as typeof spawn);
}
