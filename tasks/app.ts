import type { Board } from './board';
import { Bg95Modem } from '../drivers/modem/bg95';
import type { ConfigInfo } from '../protocol/config/types';
import { CertificateStore } from './certificates/store';
import type { EffectResult } from './commands/types';
import { ConfigStore } from './config-store';
import { Counters } from './counters';
import { FirmwareUpdater } from './firmware/updater';
import { LocalTask, type LocalActions } from './local';
import { EventLog } from './log/event-log';
import { EVENTS } from './log/events';
import { clearPinRecord } from './modem/effects';
import { ModemTask } from './modem/task';
import type { SessionResult } from './modem/types';
import { MonitoringTask, type MonitorAlarm } from './monitoring';
import type { FrameSink } from './radio/receive';
import { RadioTask, type WindowSummary } from './radio/task';
import { Scheduler } from './scheduler';
import { FrameStore } from './store/frame-store';
import type { OverwriteEvent } from './store/types';
import { UptimeTask } from './uptime';
import { UsbInbox } from './usb';
import { WhitelistStore } from './whitelist-store';

/** Application version reported in the configuration copy and supervision file. */
export const FIRMWARE_VERSION = '01.00';
export const FIRMWARE_VERSION_NUMBER = 100;
/** No BLE module firmware of its own: the ESP32's controller runs in the same image. */
const BLE_VERSION = FIRMWARE_VERSION;

const MS_PER_SECOND = 1000;
/** §3.1.1.1: the local interfaces shut down after 4 minutes without activity. */
export const LOCAL_INTERFACE_IDLE_MS = 4 * 60_000;
/** §4.2.1.1 `local.magnet`. */
const MAGNET_BLE_AND_MODEM = 0;
const MAGNET_DIAGNOSIS = 1;
/**
 * Share of a timed magnet diagnosis (`local.timeout`) its listening window may take: the window is
 * cut so that the session that carries its frames has the other half.
 */
const ACTION_WINDOW_SHARE = 0.5;

/** Everything one boot of the application holds. Nothing here survives a deep sleep but what it persists. */
export class Application {
  readonly scheduler: Scheduler;
  readonly config: ConfigStore;
  readonly counters: Counters;
  readonly whitelist: WhitelistStore;
  readonly log: EventLog;
  readonly store: FrameStore;
  readonly monitoring: MonitoringTask;
  readonly radio: RadioTask;
  readonly modem: ModemTask;
  readonly local: LocalTask;
  readonly firmware: FirmwareUpdater | undefined;
  private readonly usb: UsbInbox;
  private readonly modemDriver: Bg95Modem;
  private runTasks = false;
  /** A diagnosis (magnet or command) waits for its window before its session. */
  private diagnosis: 'magnet' | 'command' | undefined;
  /** Diagnosis sequences the magnet action still has to run after this one (`local.testCount` − 1). */
  private sequencesLeft = 0;
  /** When the magnet action must be over (`local.timeout`, testCount 1), or undefined. */
  private actionUntil: number | undefined;
  /** The magnet action whose session result the buzzer announces. */
  private announce = false;

  constructor(readonly board: Board) {
    const info = (): ConfigInfo => ({
      version: FIRMWARE_VERSION_NUMBER,
      timestamp: this.nowSeconds(),
      uid: board.identity.uid,
      sn: board.identity.sn,
    });
    this.config = new ConfigStore(board.settings, info);
    this.counters = new Counters(board.settings);
    this.whitelist = new WhitelistStore(board.settings);
    this.log = new EventLog(board.files, board.clock, { level: this.config.current.logLevel });
    this.log.record(EVENTS.boot, board.power.wakeCause);
    this.countWake();
    this.store = FrameStore.open(board.frameFlash, { onOverwrite: (e) => this.onOverwrite(e), recordCrc: board.wmbusKernels?.crc16Ccitt });
    this.countRecordedSinceSave();
    // A reset can leave the transceiver listening (a watchdog reset mid-window): quiet it first.
    board.radio.sleep();
    this.scheduler = new Scheduler(board.clock, board.power, board.powerSink, board.watchdog);
    this.firmware =
      board.ota === undefined
        ? undefined
        : new FirmwareUpdater({
            ota: board.ota,
            clock: board.clock,
            boardId: board.identity.hardwareVersion,
            restart: () => board.power.restart(),
            events: this.log,
            hashes: board.hashes,
            runningVersionNumber: FIRMWARE_VERSION_NUMBER,
            settings: board.settings,
          });
    this.firmware?.onBoot();
    if (this.firmware?.rolledBackAtBoot === true) {
      // The next supervision file tells the server its update did not hold (dates.lastRollback).
      this.counters.value.lastRollback = this.nowSeconds();
      this.counters.save();
    }
    const certificates = new CertificateStore(board.files, this.log);
    this.modemDriver = new Bg95Modem({ port: board.modem, clock: board.clock, store: board.settings, power: board.powerSink, log: (l) => board.console.log(l) });
    const app = {
      factoryReset: (): EffectResult => this.factoryReset(),
      runDiag: (): EffectResult => this.startDiagnosis('command'),
    };
    this.modem = new ModemTask({
      board,
      host: this.scheduler,
      config: this.config,
      counters: this.counters,
      frames: this.store,
      log: this.log,
      whitelist: this.whitelist,
      certificates,
      modem: this.modemDriver,
      ...(this.firmware !== undefined ? { firmware: this.firmware } : {}),
      versions: { sw: FIRMWARE_VERSION, swBle: BLE_VERSION },
      hooks: {
        ...app,
        held: () => this.monitoring.status.temperatureAlarm,
        restart: () => board.power.restart(),
        onSessionEnd: (r) => this.onSessionEnd(r),
      },
    });
    this.usb = new UsbInbox({
      board,
      config: this.config,
      counters: this.counters,
      log: this.log,
      modem: this.modemDriver,
      app,
      whitelist: this.whitelist,
      certificates,
      ...(this.firmware !== undefined ? { firmware: this.firmware } : {}),
      supervision: (h) => this.modem.supervisionDocument(h),
      // §5.6.1 on the drive: the modem task runs the session once the box is in RUN.
      requestSession: (source) => this.modem.requestSession(source),
    }, this.scheduler);
    this.local = new LocalTask(board, this.scheduler, this.localActions());
    this.monitoring = new MonitoringTask(board, this.config, this.counters, { alarm: (a, at) => this.onAlarm(a, at) });
    this.radio = new RadioTask(board, this.scheduler, this.config, this.whitelist, this.counters, this.recordingSink(), {
      onTrigger: (now) => this.monitoring.measure(now),
      held: () => this.monitoring.status.temperatureAlarm,
      onWindowEnd: (s) => this.onWindowEnd(s),
    });
    this.scheduler.add(this.local);
    this.scheduler.add(this.usb);
    this.scheduler.add(new UptimeTask(board.clock, this.counters, () => this.config.mode === 'run'));
    if (this.config.mode === 'run') this.addRunTasks();
    board.usb?.onConnect(() => this.processUsb());
  }

  start(): void {
    this.board.console.log(`boot: ${this.board.power.wakeCause}, mode ${this.config.mode}`);
    // Both before the first pass, so the scheduler sees the work and stays awake for it.
    if (this.board.usb?.connected() === true) this.processUsb();
    // A trial image proves itself with a server session (tasks/firmware/updater.ts).
    if (this.firmware?.trial === true && this.runTasks) this.modem.requestSession('request');
    this.scheduler.start();
  }

  private nowSeconds(): number {
    return Math.floor(this.board.clock.now() / MS_PER_SECOND);
  }

  private addRunTasks(): void {
    if (this.runTasks) return;
    this.runTasks = true;
    this.scheduler.add(this.radio);
    this.scheduler.add(this.modem);
    this.scheduler.add(this.monitoring);
  }

  private countWake(): void {
    const w = this.counters.value.wake;
    w.wakeup++;
    const cause = this.board.power.wakeCause;
    if (cause === 'hall') w.magnetWakeup++;
    else if (cause === 'usb') w.usb++;
    else if (cause === 'watchdog') {
      w.wd++;
      this.log.record(EVENTS.watchdogReset);
    } else if (cause === 'power-on') this.counters.value.lastPowerOn = this.nowSeconds();
    this.counters.save();
  }

  /** USB drive files run like inbox files (§2.4.5); their ACKs go back to the drive. */
  private processUsb(): void {
    const modeBefore = this.config.mode;
    this.usb.run((result) => {
      if (result instanceof Error) {
        this.log.record(EVENTS.inboxFileRejected, `usb: ${result.message}`);
        this.board.console.log(`usb: ${result.message}`);
        return;
      }
      if (result.length === 0) return;
      this.board.console.log(`usb: ${result.length} file(s) processed`);
      this.afterConfiguration(modeBefore);
    });
  }

  /** A configuration may have changed the mode (§4.2.1): the tasks of the new mode start after a restart. */
  private afterConfiguration(modeBefore: string): void {
    if (this.config.mode !== modeBefore) this.local.announceMode(() => this.board.power.restart());
    else if (this.config.mode === 'run') this.addRunTasks();
  }

  private onWindowEnd(s: WindowSummary): void {
    const text = `${s.mode} ${Math.round((s.endedMs - s.startedMs) / MS_PER_SECOND)} s, ${s.heard} heard, ${s.recorded} recorded${s.closedEarly ? ', closed early' : ''}`;
    this.log.record(EVENTS.radioWindow, text);
    this.board.console.log('radio window ' + text);
    if (this.diagnosis !== undefined && !this.radio.active) {
      this.modem.requestSession('diag', undefined, this.actionUntil);
      this.diagnosis = undefined;
    }
  }

  private onSessionEnd(r: SessionResult): void {
    this.board.console.log(`modem session ${r.ok ? 'ok' : `failed at ${r.failedStep}: ${r.error}`}, ${r.filesUploaded} files, ${r.framesUploaded} frames up, ${r.inboxFiles} inbox files`);
    if (r.ok) this.firmware?.confirm();
    if (this.sequencesLeft > 0) {
      // §4.2.1.1 testCount: the next diagnosis sequence, with no result beep in between.
      this.sequencesLeft--;
      this.startDiagnosis('magnet');
      return;
    }
    this.actionUntil = undefined;
    if (this.announce) {
      this.announce = false;
      this.local.announce(r.ok ? 'resultOk' : 'resultFailed');
    }
    if (this.config.mode !== 'run') this.board.power.restart();
  }

  /**
   * The frame store as the radio task's sink: each frame stored moves `recordedUpTo` with
   * `radio.recorded`, in RAM, and both are saved together whenever the counters are, so boot can
   * tell which stored frames the saved counters miss.
   */
  private recordingSink(): FrameSink {
    const store = this.store;
    const c = this.counters.value;
    return {
      append: (record) => {
        store.append(record);
        // Only this sink appends, and boot set the mark to the store's next serial.
        c.recordedUpTo++;
      },
      prepare: (bytes) => store.prepare(bytes),
    };
  }

  /**
   * A reset during a window (RESET button, watchdog, power cut) loses the counters since their
   * last save but not the frames stored: those are counted from the store's serials, as recorded
   * and as heard (each recorded frame was heard; the heard ones not recorded are not known). The
   * mark is saved with the counters wherever they are saved (window end, monitoring, uptime), so
   * nothing is counted twice.
   */
  private countRecordedSinceSave(): void {
    const c = this.counters.value;
    const next = this.store.layout().nextSerial;
    const missed = c.recordedUpTo >= 0 ? next - c.recordedUpTo : 0;
    if (missed > 0) {
      c.radio.recorded += missed;
      c.radio.frames += missed;
    }
    if (missed !== 0 || c.recordedUpTo < 0) {
      c.recordedUpTo = next;
      this.counters.save();
    }
  }

  private onOverwrite(e: OverwriteEvent): void {
    this.counters.value.radio.overwritten += e.records;
    this.counters.value.radio.overwrittenPending += e.pendingRecords;
    this.log.record(EVENTS.framesOverwritten, `${e.records} records, ${e.pendingRecords} not uploaded`);
  }

  /** docs/alarms.md: an alarm that becomes active asks for a session; a cleared report waits for the next one. */
  private onAlarm(alarm: MonitorAlarm, atMs: number): void {
    const at = Math.floor(atMs / MS_PER_SECOND);
    if (alarm.cleared) {
      this.log.record(EVENTS.alarmCleared, `${alarm.kind} ${alarm.value}`);
      this.board.console.log(`alarm ${alarm.kind} cleared ${alarm.value} (threshold ${alarm.threshold}, margin ${alarm.hysteresis}) at ${at}`);
      const added = this.modem.outbox.addAlarm({ type: alarm.kind, value: alarm.value, cleared: true });
      if (!added.ok) this.board.console.log(`alarm file: ${added.error}`);
      return;
    }
    this.log.record(EVENTS.alarmRaised, `${alarm.kind} ${alarm.value}`);
    this.board.console.log(`alarm ${alarm.kind} ${alarm.value} (threshold ${alarm.threshold}) at ${at}`);
    this.modem.raiseAlarm({ type: alarm.kind, value: alarm.value });
  }

  /** §5.6.2 factory: configuration, white list, stored frames and pending files back to factory state. */
  private factoryReset(): EffectResult {
    this.config.factoryReset();
    this.noteFactoryReset('command');
    this.whitelist.erase();
    this.store.erase();
    this.modem.outbox.clear();
    clearPinRecord(this.modemDriver, this.log, 'factory reset (command)');
    return { ok: true, restart: true };
  }

  /** §5.6.4 / magnet action 1: a window of radio.duration in every mode, then a session. */
  private startDiagnosis(origin: 'magnet' | 'command'): EffectResult {
    this.diagnosis = origin;
    const now = this.board.clock.now();
    this.radio.requestWindow(this.actionUntil === undefined ? Infinity : now + (this.actionUntil - now) * ACTION_WINDOW_SHARE);
    return { ok: true };
  }

  private localActions(): LocalActions {
    return {
      mode: () => this.config.mode,
      // §3.1.1.3: 3 short beeps only once a connection succeeded and none failed since.
      lastConnectionOk: () => this.counters.value.modem.lastCnxOk > 0 && this.counters.value.modem.lastCnxOk >= this.counters.value.modem.lastCnxKo,
      actionUnderway: () => this.radio.active || this.modem.active,
      switchToRun: () => {
        this.config.setMode('run');
        this.addRunTasks();
      },
      runMagnetAction: () => this.runMagnetAction(),
      openLocalInterfaces: () => this.openBle(),
      factoryReset: () => {
        this.config.factoryReset();
        this.whitelist.erase();
        this.noteFactoryReset('magnet and RESET');
        clearPinRecord(this.modemDriver, this.log, 'factory reset (magnet and RESET)');
      },
    };
  }

  /** A factory reset is a configuration change: logged, and dated in the supervision's `lastConfig` (§5.7). */
  private noteFactoryReset(by: string): void {
    this.log.record(EVENTS.factoryReset, by);
    this.counters.value.lastConfig = this.nowSeconds();
    this.counters.save();
  }

  /** §3.1.1.3 / §4.2.1.1: the action of a double magnet pass in STORAGE or RUN. */
  private runMagnetAction(): void {
    const action = this.config.current.local.magnet;
    if (action === MAGNET_BLE_AND_MODEM) {
      this.openBle();
      this.modem.requestSession('magnet');
    } else if (action === MAGNET_DIAGNOSIS) {
      // §4.2.1.1: testCount sequences in a row; the result beep, and the time limit, only for one.
      const { testCount, timeout } = this.config.current.local;
      this.sequencesLeft = testCount - 1;
      this.announce = testCount === 1;
      this.actionUntil = testCount === 1 && timeout > 0 ? this.board.clock.now() + timeout * MS_PER_SECOND : undefined;
      this.startDiagnosis('magnet');
    } else {
      const { testCount, timeout } = this.config.current.local;
      this.announce = true;
      this.actionUntil = testCount === 1 && timeout > 0 ? this.board.clock.now() + timeout * MS_PER_SECOND : undefined;
      this.modem.requestSession('request', undefined, this.actionUntil);
    }
  }

  private openBle(): void {
    this.board.ble?.enable(this.config.current.local.blePin, LOCAL_INTERFACE_IDLE_MS);
  }
}

/** Firmware entry after the board is built: one Application per boot. */
export function boot(board: Board): Application {
  const app = new Application(board);
  app.start();
  return app;
}
