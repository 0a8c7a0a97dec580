import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { hostXsRun, runXsCommand, type BridgeServer, type XsEngine, type XsHostRun } from '../xs/host.node';
import { moddableHostBinary, type HostBinary } from './build.node';

/** The descriptor host_bridge.c talks on: the child's first extra stdio pipe (a socket pair). */
const BRIDGE_FD = 3;
const HEADER_BYTES = 4;

/** The child's lines on stderr kept for a failure message. */
const STDERR_TAIL_LINES = 20;

/**
 * Carries the bridge over the child's descriptor 3: the child writes a request as
 * [length u32 LE][bytes] and blocks until the reply, framed the same way, comes back; this side
 * answers one request at a time, in order.
 */
function serveOverSocket(socket: Socket, serve: BridgeServer, fail: (e: unknown) => void): void {
  let pending = new Uint8Array(0);
  let busy = Promise.resolve();
  socket.on('error', fail);
  socket.on('data', (chunk: Buffer) => {
    const joined = new Uint8Array(pending.length + chunk.length);
    joined.set(pending);
    joined.set(chunk, pending.length);
    pending = joined;
    for (;;) {
      if (pending.length < HEADER_BYTES) return;
      const length = new DataView(pending.buffer, pending.byteOffset).getUint32(0, true);
      if (pending.length < HEADER_BYTES + length) return;
      const request = pending.slice(HEADER_BYTES, HEADER_BYTES + length);
      pending = pending.slice(HEADER_BYTES + length);
      busy = busy.then(async () => {
        const reply = await serve(request);
        const framed = new Uint8Array(HEADER_BYTES + reply.length);
        new DataView(framed.buffer).setUint32(0, reply.length, true);
        framed.set(reply, HEADER_BYTES);
        socket.write(framed);
      }).catch(fail);
    }
  });
}

export interface ModdableHostReport {
  readonly binary: HostBinary;
}

/** The Moddable host build as the engine: the preloaded program, spawned with the bridge on descriptor 3. */
export function moddableEngine(binary: HostBinary): XsEngine<ModdableHostReport> {
  return (serve) =>
    new Promise((resolve, reject) => {
      const child = spawn(binary.path, [], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
      const stderr: string[] = [];
      let failure: unknown;
      const fail = (e: unknown): void => {
        failure ??= e;
        child.kill();
      };
      // Anything the program prints itself is not the simulation's output: it goes to stderr.
      child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      child.stderr?.on('data', (chunk: Buffer) => {
        process.stderr.write(chunk);
        stderr.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
        stderr.splice(0, Math.max(0, stderr.length - STDERR_TAIL_LINES));
      });
      serveOverSocket(child.stdio[BRIDGE_FD] as Socket, serve, fail);
      child.on('error', fail);
      child.on('close', (code, signal) => {
        if (failure !== undefined) reject(failure instanceof Error ? failure : new Error(String(failure)));
        else if (code !== 0) reject(new Error(`${binary.path} exited with ${code ?? signal}${stderr.length > 0 ? ':\n' + stderr.join('\n') : ''}`));
        else resolve({ binary });
      });
    });
}

/**
 * `npm run xs:moddable`: the same simulation as `npm start` on the Moddable SDK's own XS, the
 * firmware, fakes and world preloaded as on the ESP32 (sim/moddable/manifest.json, built for
 * x-cli-lin on first use and cached); this process provides stdout, the servers and the sockets.
 */
export async function runOnModdable(argv: string[], print: (line: string) => void): Promise<XsHostRun<ModdableHostReport>> {
  return hostXsRun(argv, print, moddableEngine(await announcedBinary()));
}

/** The program, saying on stderr when this run had to build it. */
async function announcedBinary(): Promise<HostBinary> {
  const binary = await moddableHostBinary();
  if (binary.buildMs > 0) {
    process.stderr.write(`xs:moddable: built ${binary.path} in ${(binary.buildMs / 1000).toFixed(1)} s (${binary.notFrozen} "not frozen" warnings, log ${binary.log})\n`);
  }
  return binary;
}

if (require.main === module) {
  runXsCommand('xs:moddable', async (serve) => moddableEngine(await announcedBinary())(serve));
}
