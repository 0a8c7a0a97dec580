import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import { buildScenario, parseOptions, USAGE } from '../cli/options';
import { NodeHostSockets } from '../net/host-sockets.node';
import { hostSocketsHandler } from '../net/host-sockets-server.node';
import { SIM_FTP_PASSWORD, SIM_FTP_USER } from '../scenario';
import { startOperatorFtp } from '../servers/ftp.node';
import { startSntpServer } from '../servers/sntp.node';
import type { SimSummary } from '../summary';
import { bundleForXs } from './bundle.node';
import type { XsStart } from './entry';
import { decodeBridgeMessage } from './frame';
import type { HostHandler } from './types';
import { startXs, type XsMeterUsage } from './xsnap.node';

const EMPTY = new Uint8Array(0);

export interface XsRunResult {
  readonly summary: SimSummary;
  readonly lines: string[];
  readonly meter: XsMeterUsage;
  readonly files: Map<string, Uint8Array>;
}

/**
 * `npm run xs`: the same simulation as `npm start`, but the bundled firmware, fakes and world run
 * inside the real XS engine; this process only provides stdout, the local servers and the sockets.
 */
export async function runInXs(argv: string[], print: (line: string) => void): Promise<XsRunResult> {
  const parsed = parseOptions(argv);
  if (!parsed.ok) throw new Error(`${parsed.error}\n${USAGE}`);
  const options = parsed.options;
  const fileJson = options.scenarioFile === undefined ? undefined : JSON.parse(fs.readFileSync(options.scenarioFile, 'utf8'));
  const scenario = buildScenario(fileJson, options);
  const serverRoot = options.outDir !== undefined ? path.resolve(options.outDir, 'server') : fs.mkdtempSync(path.join(os.tmpdir(), 'wmbus-ftp-'));
  if (options.outDir !== undefined) fs.rmSync(serverRoot, { recursive: true, force: true });
  let virtualMs = Date.parse(scenario.start);
  const ftp = await startOperatorFtp({ root: serverRoot, user: SIM_FTP_USER, password: SIM_FTP_PASSWORD });
  const sntp = await startSntpServer(() => virtualMs);
  const sockets = new NodeHostSockets();
  const lines: string[] = [];
  const files = new Map<string, Uint8Array>();
  let summary: SimSummary | undefined;
  let failure: string | undefined;
  const start: XsStart = { scenario, ftpPort: ftp.port, ntpPort: sntp.port, json: options.json, files: options.outDir !== undefined, trace: options.trace };
  const handlers: Record<string, HostHandler> = {
    start: async () => utf8Encode(JSON.stringify(start)),
    print: async (p) => {
      const line = utf8Decode(p);
      lines.push(line);
      print(line);
      return EMPTY;
    },
    net: hostSocketsHandler(sockets),
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
  try {
    const worker = await startXs('wmbus-sim', async (request) => {
      const m = decodeBridgeMessage(request);
      virtualMs = m.virtualMs > 0 ? m.virtualMs : virtualMs;
      const handler = handlers[m.channel];
      if (handler === undefined) throw new Error(`xs bridge: unknown channel ${m.channel}`);
      return handler(m.payload);
    });
    const bundle = await bundleForXs('sim/xs/entry.ts');
    const { meterUsage } = await worker.evaluate(bundle);
    await worker.close();
    if (failure !== undefined) throw new Error(`XS run failed: ${failure}`);
    if (summary === undefined) throw new Error('XS run ended without a summary');
    if (options.outDir !== undefined) {
      const dir = path.join(options.outDir, 'device', 'files');
      fs.rmSync(path.join(options.outDir, 'device'), { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of files) fs.writeFileSync(path.join(dir, name), bytes);
      fs.writeFileSync(path.join(options.outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    }
    return { summary, lines, meter: meterUsage, files };
  } finally {
    sockets.closeAll();
    await ftp.close();
    await sntp.close();
    if (options.outDir === undefined) fs.rmSync(serverRoot, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runInXs(process.argv.slice(2), (line) => process.stdout.write(line + '\n')).then(
    () => {
      process.exitCode = 0;
    },
    (err: unknown) => {
      process.stderr.write(`xs run: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
