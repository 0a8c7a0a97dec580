import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeHostSockets } from '../net/host-sockets.node';
import { runSimulation } from '../run';
import { SIM_FTP_PASSWORD, SIM_FTP_USER } from '../scenario';
import { startOperatorFtp } from '../servers/ftp.node';
import { startSntpServer } from '../servers/sntp.node';
import { formatSummary } from '../summary';
import { buildScenario, parseOptions, USAGE } from './options';
import { writeOutDir } from './out.node';

/** `npm start`: the firmware in RUN mode at a simulated site, against real local servers. */
async function main(argv: string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.error}\n${USAGE}\n`);
    return 2;
  }
  const options = parsed.options;
  const fileJson = options.scenarioFile === undefined ? undefined : JSON.parse(fs.readFileSync(options.scenarioFile, 'utf8'));
  const scenario = buildScenario(fileJson, options);
  const serverRoot = options.outDir !== undefined ? path.resolve(options.outDir, 'server') : fs.mkdtempSync(path.join(os.tmpdir(), 'wmbus-ftp-'));
  if (options.outDir !== undefined) fs.rmSync(serverRoot, { recursive: true, force: true });
  let now = (): number => Date.parse(scenario.start);
  const ftp = await startOperatorFtp({ root: serverRoot, user: SIM_FTP_USER, password: SIM_FTP_PASSWORD });
  const sntp = await startSntpServer(() => now());
  const sockets = new NodeHostSockets();
  try {
    const print = (line: string): void => {
      process.stdout.write(line + '\n');
    };
    print(`simulating ${scenario.name}: ${scenario.meters.meters} meters, ${scenario.days} day(s) from ${scenario.start}, seed ${scenario.seed}`);
    const run = await runSimulation(scenario, {
      print,
      sockets,
      ftpPort: ftp.port,
      ntpPort: sntp.port,
      trace: options.trace ? (line) => process.stderr.write(line + '\n') : undefined,
      attachClock: (clock) => {
        now = clock;
      },
    });
    for (const line of formatSummary(run.summary)) print(line);
    if (options.outDir !== undefined) writeOutDir(options.outDir, run);
    if (options.json) print(JSON.stringify(run.summary));
    return 0;
  } finally {
    sockets.closeAll();
    await ftp.close();
    await sntp.close();
    if (options.outDir === undefined) fs.rmSync(serverRoot, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`simulator: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
