import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import { writeKeyList, writeOutTree } from '../cli/out.node';
import { readScenarioFile } from '../cli/scenario-file.node';
import { buildScenario, parseOptions, USAGE } from '../cli/options';
import { NodeHostSockets } from '../net/host-sockets.node';
import { hostSocketsHandler } from '../net/host-sockets-server.node';
import { SIM_FTP_PASSWORD, SIM_FTP_USER } from '../scenario';
import { startOperatorFtp } from '../servers/ftp.node';
import { startMqttServers } from '../servers/mqtt-sim.node';
import { startSntpServer } from '../servers/sntp.node';
import type { SimSummary } from '../summary';
import { decodeBridgeMessage } from './frame';
import type { XsStart } from './simulate';
import type { HostHandler } from './types';

const EMPTY = new Uint8Array(0);

/** Answers one framed bridge message (sim/xs/frame.ts) from the XS run with the reply's bytes. */
export type BridgeServer = (request: Uint8Array) => Promise<Uint8Array>;

/**
 * One XS engine running `simulateInXs` (sim/xs/simulate.ts): it must send every host call of the
 * run to `serve` and resolve once the run has ended, with whatever the engine reports of itself.
 */
export type XsEngine<T> = (serve: BridgeServer) => Promise<T>;

export interface XsHostRun<T> {
  readonly summary: SimSummary;
  readonly lines: string[];
  readonly files: Map<string, Uint8Array>;
  /** What the engine returned (xsnap's meter usage, the Moddable host's process figures). */
  readonly engine: T;
}

/**
 * The Node side of an XS run, whatever the engine: parses `npm start`'s options, starts the local
 * FTP and SNTP servers and the real sockets, answers the bridge's channels (start, print, net,
 * file, trace, done, error) and writes `--out` as `npm start` does. The engine (xsnap in
 * sim/xs/run.node.ts, the Moddable host build in sim/moddable/run.node.ts) only carries the calls.
 */
export async function hostXsRun<T>(argv: string[], print: (line: string) => void, engine: XsEngine<T>): Promise<XsHostRun<T>> {
  const parsed = parseOptions(argv);
  if (!parsed.ok) throw new Error(`${parsed.error}\n${USAGE}`);
  const options = parsed.options;
  const fileJson = options.scenarioFile === undefined ? undefined : readScenarioFile(options.scenarioFile);
  const scenario = buildScenario(fileJson, options);
  let virtualMs = Date.parse(scenario.start);
  // First, so that a machine without mosquitto fails before anything else is started.
  const mqtt = await startMqttServers(scenario, () => virtualMs);
  const serverRoot = options.outDir !== undefined ? path.resolve(options.outDir, 'server') : fs.mkdtempSync(path.join(os.tmpdir(), 'wmbus-ftp-'));
  if (options.outDir !== undefined) fs.rmSync(serverRoot, { recursive: true, force: true });
  const ftp = await startOperatorFtp({ root: serverRoot, user: SIM_FTP_USER, password: SIM_FTP_PASSWORD });
  const sntp = await startSntpServer(() => virtualMs);
  const sockets = new NodeHostSockets({ servers: { ftp: [ftp.port] } });
  const lines: string[] = [];
  const files = new Map<string, Uint8Array>();
  let summary: SimSummary | undefined;
  let failure: string | undefined;
  const start: XsStart = {
    scenario,
    ftpPort: ftp.port,
    ntpPort: sntp.port,
    ...(mqtt !== undefined ? { mqttPort: mqtt.broker.port } : {}),
    json: options.json,
    files: options.outDir !== undefined,
    trace: options.trace,
  };
  const handlers: Record<string, HostHandler> = {
    start: async () => utf8Encode(JSON.stringify(start)),
    print: async (p) => {
      const line = utf8Decode(p);
      lines.push(line);
      print(line);
      return EMPTY;
    },
    net: hostSocketsHandler(mqtt === undefined ? sockets : mqtt.wrap(sockets)),
    file: async (p) => {
      const n = p[0];
      files.set(utf8Decode(p, 1, 1 + n), p.slice(1 + n));
      return EMPTY;
    },
    trace: async (p) => {
      process.stderr.write(utf8Decode(p) + '\n');
      return EMPTY;
    },
    done: async (p) => {
      summary = JSON.parse(utf8Decode(p)) as SimSummary;
      return EMPTY;
    },
    error: async (p) => {
      failure = utf8Decode(p);
      return EMPTY;
    },
  };
  const serve: BridgeServer = async (request) => {
    const m = decodeBridgeMessage(request);
    virtualMs = m.virtualMs > 0 ? m.virtualMs : virtualMs;
    const handler = handlers[m.channel];
    if (handler === undefined) throw new Error(`xs bridge: unknown channel ${m.channel}`);
    return handler(m.payload);
  };
  try {
    const reported = await engine(serve);
    if (failure !== undefined) throw new Error(`XS run failed: ${failure}`);
    if (summary === undefined) throw new Error('XS run ended without a summary');
    if (options.outDir !== undefined) {
      // The same tree as npm start's: the XS side built it with sim/cli/out-tree.ts.
      writeOutTree(options.outDir, [...files]);
      writeKeyList(options.outDir, scenario);
    }
    await mqtt?.finish(options.outDir);
    return { summary, lines, files, engine: reported };
  } finally {
    sockets.closeAll();
    await mqtt?.stop();
    await ftp.close();
    await sntp.close();
    if (options.outDir === undefined) fs.rmSync(serverRoot, { recursive: true, force: true });
  }
}

/** The command-line ending of both runners: print to stdout, a failure to stderr with exit code 1. */
export function runXsCommand<T>(name: string, engine: XsEngine<T>): void {
  hostXsRun(process.argv.slice(2), (line) => process.stdout.write(line + '\n'), engine).then(
    () => {
      process.exitCode = 0;
    },
    (err: unknown) => {
      process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
