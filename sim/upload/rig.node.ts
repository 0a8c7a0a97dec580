import type { Board, Identity } from '../../tasks/board';
import type { Clock } from '../../protocol/ports/clock';
import { Bg95Modem } from '../../drivers/modem/bg95';
import type { SettingValue } from '../../drivers/settings/types';
import type { Watchdog } from '../../drivers/watchdog/types';
import type { BsonDocument } from '../../protocol/bson/types';
import type { FileSource } from '../../protocol/files/header';
import { buildSupervisionDocument } from '../../protocol/files/supervision';
import { CertificateStore } from '../../tasks/certificates/store';
import { ConfigStore } from '../../tasks/config-store';
import { Counters } from '../../tasks/counters';
import { EventLog } from '../../tasks/log/event-log';
import { UploadSession } from '../../tasks/modem/session';
import { buildSupervision } from '../../tasks/modem/supervision';
import type { AppEffects, FirmwareInstaller, SessionResult } from '../../tasks/modem/types';
import { Outbox } from '../../tasks/outbox';
import { FrameStore } from '../../tasks/store/frame-store';
import type { FrameRecord } from '../../tasks/store/types';
import { WhitelistStore } from '../../tasks/whitelist-store';
import { SimClock } from '../drivers/clock';
import { SimFiles } from '../drivers/files';
import { SimFlash } from '../drivers/flash';
import { SimGauge } from '../drivers/gauge';
import { SimModemPort } from '../drivers/modem-port';
import { SimRtc } from '../drivers/rtc';
import { SimSettings } from '../drivers/settings';
import { EnergyLedger } from '../../drivers/power/ledger';
import { Bg95Emulator } from '../modem/bg95-emulator';
import type { EmulatorFaults, EmulatorScenario } from '../modem/types';
import { NodeHostSockets } from '../net/host-sockets.node';
import type { SimRandom } from '../world/types';
import { SimWorld } from '../world/world';
import { createRandom as seededRandom } from '../world/random';

/**
 * The upload path of one concentrator on virtual time, for tests and benchmarks: the firmware's
 * BG95 driver talking AT to the BG95 emulator, whose sockets are real connections to servers on
 * 127.0.0.1; the device's settings, files and frame flash persist across `reboot()` like NVS,
 * LittleFS and the raw partition do across a deep sleep or a power cut.
 */

export const RIG_START_MS = Date.UTC(2026, 2, 2, 8, 0, 0);
export const RIG_UID = '123456';
export const SIM_PIN = '1234';


export const LTE_M_CELL = {
  technology: 'LTE-M',
  rssi: -67,
  rsrp: -95,
  rsrq: -11,
  sinr: 9,
  operator: 'Orange F',
  mccmnc: '20801',
  band: 20,
  channel: 6400,
} as const;

export const GSM_CELL = { technology: '2G', rssi: -75, operator: 'Orange F', mccmnc: '20801', band: 900, channel: 62 } as const;

export const RIG_SCENARIO: EmulatorScenario = {
  sim: { iccid: '89330123456789012345', pin: SIM_PIN, number: '+33612345678' },
  coverage: [LTE_M_CELL, GSM_CELL],
  dns: { localhost: '127.0.0.1' },
};

export interface UploadRigOptions {
  readonly uid?: string;
  readonly scenario?: EmulatorScenario;
  /** Device clock minus true time at the start (what the first SNTP exchange corrects). */
  readonly rtcErrorMs?: number;
  readonly seed?: number;
  readonly filesCapacity?: number;
  readonly flashBytes?: number;
}

/** Typical frame lengths (bytes, CRCs removed) of the shared corpus: 13 to 230, mean about 76. */
const FRAME_LENGTHS: readonly number[] = [13, 29, 38, 46, 47, 53, 58, 63, 68, 76, 79, 85, 95, 103, 119, 151, 230];

/** A plausible frame: L, C 0x44, M, A, CI 0x7A, seeded payload. */
export function syntheticFrame(random: SimRandom, length: number): Uint8Array {
  const f = new Uint8Array(length);
  for (let i = 0; i < length; i++) f[i] = random.int(0, 255);
  f[0] = (length - 1) & 0xff;
  f[1] = 0x44;
  f.set([0x2d, 0x2c], 2);
  if (length > 10) f[10] = 0x7a;
  return f;
}

const noWatchdog: Watchdog = { start: () => undefined, feed: () => undefined, stop: () => undefined };

export class UploadRig {
  readonly world = new SimWorld(RIG_START_MS);
  readonly ledger: EnergyLedger;
  readonly port: SimModemPort;
  readonly emulator: Bg95Emulator;
  /** ftp-srv answers a data transfer in several writes (150, data, 226) a few real ms apart: wait that long for quiet. */
  readonly host = new NodeHostSockets({ quietMs: 60 });
  readonly rtc: SimRtc;
  readonly identity: Identity;
  readonly settingsMap = new Map<string, SettingValue>();
  readonly filesMap = new Map<string, Uint8Array>();
  readonly flash: SimFlash;
  readonly random: SimRandom;
  readonly console: string[] = [];
  /** The 14 Ah pack, drawn down by what the ledger integrates; 21.5 °C on the board. */
  readonly gauge = new SimGauge(14_000, { chargeUsedMah: () => this.ledger.snapshot().totalPackMah, temperatureDeciC: () => 215, loadMa: () => 0 });
  /** Per boot. */
  clock!: SimClock;
  settings!: SimSettings;
  files!: SimFiles;
  frames!: FrameStore;
  config!: ConfigStore;
  counters!: Counters;
  events!: EventLog;
  whitelist!: WhitelistStore;
  certificates!: CertificateStore;
  modem!: Bg95Modem;
  outbox!: Outbox;
  /** Installs images fetched by the `firmware` command (a FirmwareUpdater); none by default. */
  firmware: FirmwareInstaller | undefined;
  /** What the application's effects were asked (factory reset, diag). */
  readonly appCalls: string[] = [];
  private readonly filesCapacity: number;
  private treeKey = '';
  /** The modem task's `published` state (serial past the newest frame published over MQTT), kept across boots. */
  published = 0;

  constructor(options: UploadRigOptions = {}) {
    this.identity = { uid: options.uid ?? RIG_UID, sn: 'SN-' + (options.uid ?? RIG_UID), hardwareVersion: '11' };
    this.random = seededRandom(options.seed ?? 7);
    this.ledger = new EnergyLedger(this.world);
    this.port = new SimModemPort(this.world);
    this.emulator = new Bg95Emulator({
      time: this.world,
      port: this.port,
      scenario: options.scenario ?? RIG_SCENARIO,
      random: seededRandom((options.seed ?? 7) + 1),
      power: this.ledger,
      host: this.host,
    });
    this.world.attachHostIo(this.emulator);
    this.rtc = new SimRtc(this.world, options.rtcErrorMs ?? 0, 0);
    this.flash = new SimFlash({ size: options.flashBytes ?? 128 * 1024, sectorSize: 4096 });
    this.filesCapacity = options.filesCapacity ?? 1024 * 1024;
    this.boot();
  }

  /** A new boot: fresh RAM objects over the same persistent state (settings, files, flash, RTC). */
  boot(): void {
    this.clock?.shutdown();
    this.clock = new SimClock(this.world, this.rtc);
    this.settings = new SimSettings(this.settingsMap);
    this.files = new SimFiles(this.filesMap, this.filesCapacity);
    this.frames = FrameStore.open(this.flash);
    this.config = new ConfigStore(this.settings, () => ({ version: 100, timestamp: Math.floor(this.clock.now() / 1000), uid: this.identity.uid, sn: this.identity.sn }));
    this.counters = new Counters(this.settings);
    this.events = new EventLog(this.files, this.clock);
    this.whitelist = new WhitelistStore(this.settings);
    this.certificates = new CertificateStore(this.files, this.events);
    this.modem = new Bg95Modem({ port: this.port, clock: this.clock, store: this.settings, log: (l) => this.console.push(l) });
    // As the modem task builds it (tasks/modem/task.ts): a full partition pushes out data files the frame store can make again.
    this.outbox = new Outbox(this.files, { uid: this.identity.uid, clock: this.clock, security: () => this.config.current.security, settings: this.settings, frames: this.frames });
  }

  /** Applies a configuration file body (`{ config: {...} }`); throws when it is refused. */
  configure(doc: BsonDocument): void {
    const r = this.config.apply(doc);
    if (!r.ok) throw new Error(`configuration refused: ${r.field}: ${r.reason}`);
    // The configured FTP server's greeting is owed as soon as a connection opens (sim/servers/replies-owed.ts).
    const ftpPort = Number(this.config.current.remote.ftp.addr?.split(':')[1]);
    if (Number.isInteger(ftpPort)) this.host.ftpServer(ftpPort);
  }

  setFaults(faults: EmulatorFaults): void {
    this.emulator.setFaults(faults);
  }

  /** Records `count` frames as a listening window would, one second apart (corpus lengths unless `length`). */
  record(count: number, length?: number): FrameRecord[] {
    const out: FrameRecord[] = [];
    const t0 = Math.floor(this.clock.now() / 1000);
    for (let i = 0; i < count; i++) {
      const size = length ?? FRAME_LENGTHS[this.random.int(0, FRAME_LENGTHS.length - 1)];
      const r: FrameRecord = { time: t0 + i, rssi: this.random.int(-110, -40), frame: syntheticFrame(this.random, size) };
      this.frames.append(r);
      out.push(r);
    }
    return out;
  }

  appEffects(): AppEffects {
    return {
      factoryReset: () => {
        this.appCalls.push('factoryReset');
        return { ok: true, restart: true };
      },
      runDiag: () => {
        this.appCalls.push('runDiag');
        return { ok: true };
      },
    };
  }

  /** An UploadSession on this boot's objects. */
  newSession(source: FileSource, bits: number, maxDataFileBytes?: number): UploadSession {
    return new UploadSession(
      {
        clock: this.clock,
        uid: this.identity.uid,
        config: this.config,
        counters: this.counters,
        outbox: this.outbox,
        frames: this.frames,
        files: this.files,
        events: this.events,
        modem: this.modem,
        reports: {
          supervision: (h) =>
            buildSupervisionDocument(
              h,
              buildSupervision({
                identity: this.identity,
                config: this.config.current,
                counters: this.counters.value,
                modem: undefined,
                reading: this.gauge.read(),
                capacityMah: this.gauge.capacityMah,
                sw: '01.00',
                swBle: '1.0',
                nowSec: Math.floor(this.world.now() / 1000),
              }),
            ),
          log: (h) => this.events.logGet(h),
        },
        logClean: () => this.events.logClean(),
        app: this.appEffects(),
        whitelist: this.whitelist,
        certificates: this.certificates,
        ...(this.firmware !== undefined ? { firmware: this.firmware } : {}),
        tree: { get: () => this.treeKey, set: (k) => (this.treeKey = k) },
        published: { get: () => this.published, set: (serial) => (this.published = serial) },
        status: () => {
          const reading = this.gauge.read();
          return {
            framesDelivered: this.counters.value.modem.framesUploaded,
            uptimeSec: this.counters.value.uptime.run,
            radioSec: this.counters.value.uptime.radio,
            modemSec: this.counters.value.uptime.modem,
            whitelistSize: this.whitelist.size,
            batteryPercent: Math.round(100 - (100 * reading.chargeUsedMah) / this.gauge.capacityMah),
            batteryMv: reading.voltageMv,
            temperatureC: reading.temperatureDeciC / 10,
            firmware: '01.00',
          };
        },
        log: (l) => this.console.push(l),
        ...(maxDataFileBytes !== undefined ? { maxDataFileBytes } : {}),
      },
      { source, bits },
    );
  }

  /** Runs one session to its end on virtual time. */
  runSession(source: FileSource, bits: number, maxDataFileBytes?: number): Promise<SessionResult> {
    return this.drive(this.newSession(source, bits, maxDataFileBytes).run());
  }

  /** A Board over this boot's objects, for the ModemTask under a Scheduler. */
  board(onDeepSleep: (untilMs: number) => void = () => undefined, onRestart: () => void = () => undefined): Board {
    const ledger = this.ledger;
    return {
      identity: this.identity,
      clock: this.clock as Clock,
      power: { wakeCause: 'timer', deepSleep: onDeepSleep, restart: onRestart, retained: new Uint8Array(16) },
      powerSink: ledger,
      watchdog: noWatchdog,
      radio: undefined as never,
      modem: this.port,
      hall: undefined as never,
      buzzer: undefined as never,
      gauge: this.gauge,
      frameFlash: this.flash,
      settings: this.settings,
      files: this.files,
      usb: undefined,
      ble: undefined,
      ota: undefined,
      console: { log: (l) => this.console.push(l) },
    };
  }

  /** Runs the world event by event until `p` settles (or `limitMs` of virtual time pass). */
  drive<T>(p: Promise<T>, limitMs = 6 * 3_600_000): Promise<T> {
    return this.world.settleWith(p, limitMs);
  }

  /** Runs the world until `condition()` holds (checked after every event) or `limitMs` pass. */
  async runUntil(condition: () => boolean, limitMs: number): Promise<void> {
    const end = this.world.now() + limitMs;
    await this.world.runUntil(this.world.now());
    while (!condition()) {
      const next = this.world.nextEventTime();
      if (next === undefined || next > end) {
        await this.world.runUntil(end);
        return;
      }
      await this.world.runUntil(next);
    }
  }

  close(): void {
    this.clock.shutdown();
    this.host.closeAll();
  }
}

/** The project's seeded PRNG (sim/world/random.ts), under the name the tests use. */
export { seededRandom };
