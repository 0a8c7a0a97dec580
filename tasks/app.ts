import type { Board } from '../boards/types';
import type { ConfigInfo } from '../protocol/config/types';
import { ConfigStore } from './config-store';
import { Counters } from './counters';
import { LocalTask, type LocalActions } from './local';
import { EventLog } from './log/event-log';
import { EVENTS } from './log/events';
import { MonitoringTask, type MonitorAlarm } from './monitoring';
import { RadioTask, type WindowSummary } from './radio/task';
import { Scheduler } from './scheduler';
import { FrameStore } from './store/frame-store';
import type { OverwriteEvent } from './store/types';
import { WhitelistStore } from './whitelist-store';

/** Application version reported in the configuration copy and supervision file. */
export const FIRMWARE_VERSION = '01.00';
export const FIRMWARE_VERSION_NUMBER = 100;

const MS_PER_SECOND = 1000;
/** §3.1.1.1: the local interfaces shut down after 4 minutes without activity. */
export const LOCAL_INTERFACE_IDLE_MS = 4 * 60_000;

/** What the application reports as it runs (the serial console; the simulator's progress lines). */
export interface AppEvents {
  windowEnded?(summary: WindowSummary): void;
}

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
  readonly local: LocalTask;

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
    // A reset can leave the transceiver listening (a watchdog reset mid-window): quiet it first.
    board.radio.sleep();
    this.scheduler = new Scheduler(board.clock, board.power, board.powerSink, board.watchdog);
    this.local = new LocalTask(board, this.scheduler, this.localActions());
    this.monitoring = new MonitoringTask(board, this.config, this.counters, { alarm: (a, at) => this.onAlarm(a, at) });
    this.radio = new RadioTask(board, this.scheduler, this.config, this.whitelist, this.counters, this.store, {
      onTrigger: (now) => this.monitoring.measure(now),
      held: () => this.monitoring.status.temperatureAlarm,
      onWindowEnd: (s) => this.onWindowEnd(s),
    });
    this.scheduler.add(this.local);
    if (this.config.mode === 'run') this.addRunTasks();
  }

  start(): void {
    this.board.console.log(`boot: ${this.board.power.wakeCause}, mode ${this.config.mode}`);
    this.scheduler.start();
  }

  private nowSeconds(): number {
    return Math.floor(this.board.clock.now() / MS_PER_SECOND);
  }

  private addRunTasks(): void {
    this.scheduler.add(this.radio);
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

  private onWindowEnd(s: WindowSummary): void {
    const text = `${s.mode} ${Math.round((s.endedMs - s.startedMs) / MS_PER_SECOND)} s, ${s.heard} heard, ${s.recorded} recorded${s.closedEarly ? ', closed early' : ''}`;
    this.log.record(EVENTS.radioWindow, text);
    this.board.console.log('radio window ' + text);
  }

  private onOverwrite(e: OverwriteEvent): void {
    this.counters.value.radio.overwritten += e.records;
    this.log.record(EVENTS.framesOverwritten, `${e.records} records, ${e.pendingRecords} not uploaded`);
  }

  private onAlarm(alarm: MonitorAlarm, atMs: number): void {
    this.counters.value.wake.alarms++;
    this.log.record(EVENTS.alarmRaised, `${alarm.kind} ${alarm.value}`);
    this.board.console.log(`alarm ${alarm.kind} ${alarm.value} (threshold ${alarm.threshold}) at ${Math.floor(atMs / MS_PER_SECOND)}`);
  }

  private localActions(): LocalActions {
    return {
      mode: () => this.config.mode,
      lastConnectionOk: () => this.counters.value.modem.lastCnxOk >= this.counters.value.modem.lastCnxKo,
      actionUnderway: () => this.radio.active,
      switchToRun: () => {
        this.config.setMode('run');
        this.addRunTasks();
      },
      runMagnetAction: () => this.runMagnetAction(),
      openLocalInterfaces: () => this.openBle(),
      factoryReset: () => this.config.factoryReset(),
    };
  }

  /** §4.2.1.1 `local.magnet`: 0 BLE + modem, 1 diagnosis, 2 request. */
  private runMagnetAction(): void {
    const action = this.config.current.local.magnet;
    if (action === 0) this.openBle();
    else if (action === 1) this.radio.requestWindow();
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
