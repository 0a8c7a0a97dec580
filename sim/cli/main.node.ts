import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeHostSockets } from '../net/host-sockets.node';
import { runSimulation, type SimHost, type SimRun } from '../run';
import { SIM_FTP_PASSWORD, SIM_FTP_USER, type Scenario } from '../scenario';
import { startOperatorFtp } from '../servers/ftp.node';
import { startMqttServers } from '../servers/mqtt-sim.node';
import { startSntpServer } from '../servers/sntp.node';
import { formatSummary } from '../summary';
import { ReportCollector } from '../report/collect';
import { renderReport } from '../report/html';
import { PACK } from '../../drivers/power/model';
import type { EnergyReport } from '../../drivers/power/ledger';
import { buildScenario, parseOptions, USAGE } from './options';
import { writeOutDir } from './out.node';
import { ScenarioError } from './scenario-check';
import { readScenarioFile } from './scenario-file.node';

/** The report's battery curve: one point a virtual hour. */
const REPORT_SAMPLE_MS = 3_600_000;

export interface NodeRunResult {
  readonly run: SimRun;
  readonly lines: string[];
}

/** What a run on Node does besides the site: where it writes, what it reports. */
export interface NodeRunOptions {
  readonly outDir?: string;
  readonly trace?: boolean;
  readonly json?: boolean;
  /** Writes the run's HTML report there (sim/report/html.ts). */
  readonly report?: string;
  readonly onDayEnd?: SimHost['onDayEnd'];
}

/** `npm start`: the firmware in RUN mode at a simulated site, against real local servers. */
export async function runOnNode(argv: string[], out: (line: string) => void): Promise<NodeRunResult> {
  const parsed = parseOptions(argv);
  if (!parsed.ok) throw new UsageError(parsed.error);
  const options = parsed.options;
  const fileJson = options.scenarioFile === undefined ? undefined : readScenarioFile(options.scenarioFile);
  return runScenarioOnNode(buildScenario(fileJson, options), options, out);
}

/** Runs `scenario` with the local FTP, SNTP (and, for an MQTT site, mosquitto) servers it needs. */
export async function runScenarioOnNode(scenario: Scenario, options: NodeRunOptions, out: (line: string) => void): Promise<NodeRunResult> {
  let now = (): number => Date.parse(scenario.start);
  // First, so that a machine without mosquitto fails before anything else is started.
  const mqtt = await startMqttServers(scenario, () => now());
  const serverRoot = options.outDir !== undefined ? path.resolve(options.outDir, 'server') : fs.mkdtempSync(path.join(os.tmpdir(), 'wmbus-ftp-'));
  if (options.outDir !== undefined) fs.rmSync(serverRoot, { recursive: true, force: true });
  const ftp = await startOperatorFtp({ root: serverRoot, user: SIM_FTP_USER, password: SIM_FTP_PASSWORD });
  const sntp = await startSntpServer(() => now());
  const sockets = new NodeHostSockets();
  const lines: string[] = [];
  try {
    const print = (line: string): void => {
      lines.push(line);
      out(line);
    };
    print(`simulating ${scenario.name}: ${scenario.meters.meters} meters, ${scenario.days} day(s) from ${scenario.start}, seed ${scenario.seed}`);
    const report = options.report === undefined ? undefined : new ReportCollector();
    const toStderr = options.trace === true ? (line: string) => process.stderr.write(line + '\n') : undefined;
    const trace =
      report === undefined
        ? toStderr
        : (line: string): void => {
            report.trace(line);
            toStderr?.(line);
          };
    const run = await runSimulation(scenario, {
      print,
      sockets: mqtt === undefined ? sockets : mqtt.wrap(sockets),
      ftpPort: ftp.port,
      ntpPort: sntp.port,
      ...(mqtt !== undefined ? { mqttPort: mqtt.broker.port } : {}),
      trace,
      attachClock: (clock) => {
        now = clock;
      },
      ...(options.onDayEnd !== undefined ? { onDayEnd: options.onDayEnd } : {}),
      ...(report !== undefined ? { sampleEveryMs: REPORT_SAMPLE_MS, onSample: (atMs: number, energy: EnergyReport) => report.sample(atMs, energy) } : {}),
    });
    for (const line of formatSummary(run.summary)) print(line);
    if (options.outDir !== undefined) writeOutDir(options.outDir, run, scenario);
    if (report !== undefined && options.report !== undefined) {
      const pack = { ...PACK, capacityMah: scenario.device.batteryMah };
      fs.writeFileSync(options.report, renderReport(run.summary, report.data(), Date.parse(scenario.start), pack));
    }
    await mqtt?.finish(options.outDir);
    if (options.json) print(JSON.stringify(run.summary));
    return { run, lines };
  } finally {
    sockets.closeAll();
    await mqtt?.stop();
    await ftp.close();
    await sntp.close();
    if (options.outDir === undefined) fs.rmSync(serverRoot, { recursive: true, force: true });
  }
}

class UsageError extends Error {}

if (require.main === module) {
  runOnNode(process.argv.slice(2), (line) => process.stdout.write(line + '\n')).then(
    () => {
      process.exitCode = 0;
    },
    (err: unknown) => {
      if (err instanceof UsageError || err instanceof ScenarioError) process.stderr.write(`${err.message}\n${USAGE}\n`);
      else process.stderr.write(`simulator: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = err instanceof UsageError || err instanceof ScenarioError ? 2 : 1;
    },
  );
}
