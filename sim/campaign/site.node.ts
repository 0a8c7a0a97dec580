import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeHostSockets } from '../net/host-sockets.node';
import { runSimulation, type SimHost, type SimRun } from '../run';
import { SIM_FTP_PASSWORD, SIM_FTP_USER, type Scenario } from '../scenario';
import { startOperatorFtp, type FtpServerFaults, type OperatorFtpServer } from '../servers/ftp.node';
import { startSntpServer, type SntpServer } from '../servers/sntp.node';

export interface CampaignSiteRun {
  readonly run: SimRun;
  /** Every file the operator's FTP server holds at the end, by path under its root ('/' separated). */
  readonly serverFiles: ReadonlyMap<string, Uint8Array>;
  /** STOR and RNTO the server refused during the site (its `ftpFaults`). */
  readonly serverRefusals: number;
}

function readTree(root: string, dir = ''): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) for (const [k, v] of readTree(root, rel)) out.set(k, v);
    else out.set(rel, new Uint8Array(fs.readFileSync(path.join(root, rel))));
  }
  return out;
}

/**
 * The simulator's real local FTP and SNTP servers (as `npm start` runs them), started once for a
 * whole campaign: each site gets an empty server directory and the SNTP server follows its clock.
 */
export class CampaignServers {
  private now = (): number => 0;

  private constructor(
    private readonly root: string,
    private readonly ftp: OperatorFtpServer,
    private readonly sntp: SntpServer,
  ) {}

  static async start(): Promise<CampaignServers> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wmbus-campaign-'));
    const ftp = await startOperatorFtp({ root, user: SIM_FTP_USER, password: SIM_FTP_PASSWORD });
    let servers: CampaignServers | undefined;
    const sntp = await startSntpServer(() => (servers === undefined ? 0 : servers.now()));
    servers = new CampaignServers(root, ftp, sntp);
    return servers;
  }

  /** The FTP server's faults from now on (switched off by a site's own event, and after each site). */
  setFtpFaults(faults: FtpServerFaults | undefined): void {
    this.ftp.setFaults(faults);
  }

  /** Runs one site quietly; `onSite` lets the campaign schedule its own events on it; `ftpFaults` hold from its start. */
  async run(scenario: Scenario, onSite?: SimHost['onSite'], ftpFaults?: FtpServerFaults): Promise<CampaignSiteRun> {
    for (const entry of fs.readdirSync(this.root)) fs.rmSync(path.join(this.root, entry), { recursive: true, force: true });
    const start = Date.parse(scenario.start);
    this.now = () => start;
    const sockets = new NodeHostSockets();
    const refusedBefore = this.ftp.refusals;
    this.ftp.setFaults(ftpFaults);
    try {
      const run = await runSimulation(scenario, {
        print: () => undefined,
        sockets,
        ftpPort: this.ftp.port,
        ntpPort: this.sntp.port,
        attachClock: (clock) => {
          this.now = clock;
        },
        onSite,
      });
      return { run, serverFiles: readTree(this.root), serverRefusals: this.ftp.refusals - refusedBefore };
    } finally {
      this.ftp.setFaults(undefined);
      sockets.closeAll();
    }
  }

  async close(): Promise<void> {
    await this.ftp.close();
    await this.sntp.close();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
