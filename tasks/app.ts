import type { Board } from '../boards/types';
import type { ConfigInfo } from '../protocol/config/types';
import { ConfigStore } from './config-store';
import { Counters } from './counters';
import { LocalTask, type LocalActions } from './local';
import { MonitoringTask, type MonitorAlarm } from './monitoring';
import { Scheduler } from './scheduler';

/** Application version reported in the configuration copy and supervision file. */
export const FIRMWARE_VERSION = '01.00';
export const FIRMWARE_VERSION_NUMBER = 100;

const MS_PER_SECOND = 1000;

/** Everything one boot of the application holds. Nothing here survives a deep sleep but what it persists. */
export class Application {
  readonly scheduler: Scheduler;
  readonly config: ConfigStore;
  readonly counters: Counters;
  readonly monitoring: MonitoringTask;
  readonly local: LocalTask;

  constructor(readonly board: Board) {
    const info = (): ConfigInfo => ({
      version: FIRMWARE_VERSION_NUMBER,
      timestamp: Math.floor(board.clock.now() / MS_PER_SECOND),
      uid: board.identity.uid,
      sn: board.identity.sn,
    });
    this.config = new ConfigStore(board.settings, info);
    this.counters = new Counters(board.settings);
    this.countWake();
    this.scheduler = new Scheduler(board.clock, board.power, board.powerSink, board.watchdog);
    this.local = new LocalTask(board, this.scheduler, this.localActions());
    this.scheduler.add(this.local);
    this.monitoring = new MonitoringTask(board, this.config, this.counters, { alarm: (a, at) => this.onAlarm(a, at) });
    if (this.config.mode === 'run') this.scheduler.add(this.monitoring);
  }

  start(): void {
    this.board.console.log(`boot: ${this.board.power.wakeCause}, mode ${this.config.mode}`);
    this.scheduler.start();
  }

  private countWake(): void {
    const w = this.counters.value.wake;
    w.wakeup++;
    const cause = this.board.power.wakeCause;
    if (cause === 'hall') w.magnetWakeup++;
    else if (cause === 'usb') w.usb++;
    else if (cause === 'watchdog') w.wd++;
    else if (cause === 'power-on') this.counters.value.lastPowerOn = Math.floor(this.board.clock.now() / MS_PER_SECOND);
    this.counters.save();
  }

  private onAlarm(alarm: MonitorAlarm, atMs: number): void {
    this.board.console.log(`alarm ${alarm.kind} ${alarm.value} (threshold ${alarm.threshold}) at ${atMs}`);
  }

  private localActions(): LocalActions {
    return {
      mode: () => this.config.mode,
      lastConnectionOk: () => this.counters.value.modem.lastCnxOk >= this.counters.value.modem.lastCnxKo,
      actionUnderway: () => false,
      switchToRun: () => {
        this.config.setMode('run');
        this.scheduler.add(this.monitoring);
      },
      runMagnetAction: () => undefined,
      openLocalInterfaces: () => undefined,
      factoryReset: () => this.config.factoryReset(),
    };
  }
}

/** Firmware entry after the board is built: one Application per boot. */
export function boot(board: Board): Application {
  const app = new Application(board);
  app.start();
  return app;
}
