import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';

/** The part of an xsnap worker the runner uses. */
export interface XsWorker {
  evaluate(code: string): Promise<{ meterUsage: XsMeterUsage }>;
  close(): Promise<void>;
}

export interface XsMeterUsage {
  readonly compute: number | null;
  readonly allocate: number | null;
  readonly currentHeapCount: number | null;
}

/**
 * Starts the real XS engine (npm @agoric/xsnap, built from Moddable's sources at install) with a
 * host command handler. xsnap and its SES prelude are ES modules, loaded dynamically from here.
 * `spawnWorker` lets a caller run another build of the worker (sim/xs/wmbus-xsnap.node.ts).
 */
export async function startXs(
  name: string,
  handleCommand: (request: Uint8Array) => Promise<Uint8Array>,
  spawnWorker: typeof spawn = spawn,
): Promise<XsWorker> {
  await import('@endo/init');
  const { xsnap } = (await import('@agoric/xsnap')) as { xsnap: (options: Record<string, unknown>) => Promise<XsWorker> };
  const tmp = (await import('tmp')) as { tmpName: unknown; default?: { tmpName: unknown } };
  return xsnap({
    name,
    os: os.type(),
    spawn: spawnWorker,
    fs: { ...fsp, createReadStream: fs.createReadStream, tmpName: tmp.tmpName ?? tmp.default?.tmpName },
    stdout: 'inherit',
    stderr: 'inherit',
    // The simulation runs long and is not an untrusted contract: no metering limit.
    meteringLimit: 0,
    handleCommand,
  });
}
