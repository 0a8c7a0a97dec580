/**
 * One upload session of 300 frames (§1.6.4 sizes a window at "300 frames of 64 bytes") through the
 * BG95 emulator to ftp-srv on 127.0.0.1: modem-on time, bytes exchanged with the servers, and the
 * energy the session draws from the pack (EnergyLedger with the drivers/power/model.ts figures).
 * Virtual time: the figures do not depend on the machine.
 */
import { FTP_UPLOAD_DATA } from '../protocol/config/types';
import { PACK } from '../drivers/power/model';
import type { EmulatorScenario } from '../sim/modem/types';
import { GSM_CELL, RIG_SCENARIO, SIM_PIN, UploadRig } from '../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type UploadFtpServer } from '../sim/upload/servers.node';
import type { BenchResult } from './types';

const FRAMES = 300;
const FRAME_BYTES = 64;
const USER = 'hub';
const PASS = 'bench';
const MS_PER_SECOND = 1000;
const COULOMBS_PER_MAH = 3.6;
/** The device clock is 2 s off, as after a few weeks of RTC drift: SNTP corrects it. */
const RTC_ERROR_MS = 2_000;

interface Case {
  readonly label: string;
  readonly scenario: EmulatorScenario;
}

const CASES: readonly Case[] = [
  { label: 'LTE-M', scenario: RIG_SCENARIO },
  // No LTE-M cell: the auto mode finds 2G (§1.6.4).
  { label: '2G', scenario: { ...RIG_SCENARIO, coverage: [GSM_CELL] } },
];

function joules(packMah: number): number {
  return packMah * COULOMBS_PER_MAH * PACK.voltageV;
}

async function session(c: Case, ftp: UploadFtpServer, ntpPort: number, setTime: (now: () => number) => void): Promise<BenchResult[]> {
  const rig = new UploadRig({ scenario: c.scenario, rtcErrorMs: RTC_ERROR_MS });
  setTime(() => rig.world.now());
  try {
    rig.configure({
      config: {
        mode: 'run',
        remote: {
          modem: { mode: 'auto', cpin: SIM_PIN, apn: 'iot.test', timeout: 300 },
          ftp: { mode: 0, addr: `127.0.0.1:${ftp.port}`, user: USER, pass: PASS, dir: `/bench-${c.label}` },
          ntp: `127.0.0.1:${ntpPort}`,
        },
      },
    });
    // Only the data: the configuration copy of the setup above is not part of a routine session.
    rig.config.copyUploaded();
    rig.record(FRAMES, FRAME_BYTES);
    const before = rig.ledger.snapshot();
    // The MCU light-sleeps between events while the session runs, and deep-sleeps after it.
    rig.ledger.report('mcu', 'light-sleep');
    const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
    rig.ledger.report('mcu', 'deep-sleep');
    if (!result.ok) throw new Error(`upload bench (${c.label}): session failed in ${result.failedStep}: ${result.error}`);
    if (result.framesUploaded !== FRAMES) throw new Error(`upload bench (${c.label}): ${result.framesUploaded} of ${FRAMES} frames uploaded`);
    const after = rig.ledger.snapshot();
    const modemMah = after.components.modem.packMah - before.components.modem.packMah;
    const totalMah = after.totalPackMah - before.totalPackMah;
    const p = `upload.${FRAMES}_frames_${FRAME_BYTES}B.${c.label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
    return [
      { name: `${p}.modem_on`, value: result.modemOnMs / MS_PER_SECOND, unit: 's' },
      { name: `${p}.bytes_sent`, value: result.bytesSent, unit: 'B' },
      { name: `${p}.bytes_received`, value: result.bytesReceived, unit: 'B' },
      { name: `${p}.files`, value: result.filesUploaded, unit: 'files' },
      { name: `${p}.modem_energy`, value: modemMah, unit: 'mAh' },
      { name: `${p}.session_energy`, value: totalMah, unit: 'mAh' },
      { name: `${p}.session_energy_j`, value: joules(totalMah), unit: 'J' },
    ];
  } finally {
    rig.close();
  }
}

export async function benchUpload(): Promise<BenchResult[]> {
  const ftp = await startFtpServer({ user: USER, pass: PASS });
  let now: () => number = () => Date.now();
  const ntp = await startSntpServer(() => now());
  try {
    const out: BenchResult[] = [];
    for (const c of CASES) out.push(...(await session(c, ftp, ntp.port, (f) => (now = f))));
    return out;
  } finally {
    await ftp.close();
    await ntp.close();
  }
}
