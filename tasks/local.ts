import type { Board } from './board';
import type { SystemMode } from '../protocol/config/types';
import { beepPattern, type BeepCode } from './beeps';
import type { Task, TaskHost } from './types';

/** §3.1.1: a second magnet pass within 10 s of the first changes the mode / runs the action. */
export const SECOND_PASS_WINDOW_MS = 10_000;
/** A priority between the radio (0) and the modem (20): gestures are handled promptly. */
const LOCAL_PRIORITY = 10;

/** What the installer's gestures act on (implemented by the application). */
export interface LocalActions {
  mode(): SystemMode;
  lastConnectionOk(): boolean;
  /** A window, session or magnet action is in progress (answered with one long beep). */
  actionUnderway(): boolean;
  /** STORAGE → RUN after a double pass (§3.1.1.2). */
  switchToRun(): void;
  /** The action configured in `local.magnet` (§4.2.1.1), run after a double pass in STORAGE or RUN. */
  runMagnetAction(): void;
  /** First pass in FACTORY SETTINGS mode: the local interfaces (BLE) come up for configuration. */
  openLocalInterfaces(): void;
  /** Magnet held while RESET is pressed (§2.4.4.2). */
  factoryReset(): void;
}

/**
 * The Hall sensor and buzzer dialogue with the installer (primary spec §3.1.1). A wake from deep
 * sleep by the magnet counts as the first pass.
 */
export class LocalTask implements Task {
  readonly name = 'local';
  readonly priority = LOCAL_PRIORITY;
  private readonly passes: number[] = [];
  private firstPassAt = -Infinity;
  private beeping = false;

  constructor(private readonly board: Board, private readonly host: TaskHost, private readonly actions: LocalActions) {
    board.hall.onEdge((at) => {
      this.passes.push(at);
      host.wake(this);
    });
    const now = board.clock.now();
    if (board.power.wakeCause === 'hall') this.passes.push(now);
    if (board.power.wakeCause === 'reset' && board.hall.present()) {
      this.actions.factoryReset();
      this.beep('factoryReset');
    }
  }

  nextWake(): number {
    if (this.passes.length > 0) return this.board.clock.now();
    // One more step when the second-pass window closes, so the scheduler can plan deep sleep.
    const closes = this.firstPassAt + SECOND_PASS_WINDOW_MS;
    return closes > this.board.clock.now() ? closes : Infinity;
  }

  busy(): boolean {
    return this.beeping || this.board.clock.now() < this.firstPassAt + SECOND_PASS_WINDOW_MS;
  }

  step(): void {
    for (const at of this.passes.splice(0)) {
      if (at - this.firstPassAt <= SECOND_PASS_WINDOW_MS) {
        this.firstPassAt = -Infinity;
        this.secondPass();
      } else {
        this.firstPassAt = at;
        this.firstPass();
      }
    }
  }

  private firstPass(): void {
    if (this.actions.actionUnderway()) {
      this.beep('busy');
      return;
    }
    this.beep(this.modeCode());
    if (this.actions.mode() === 'factorySettings') this.actions.openLocalInterfaces();
  }

  /** §3.1.1: the current mode, and in RUN how the last connection went (3 long beeps until one succeeded). */
  private modeCode(): BeepCode {
    const mode = this.actions.mode();
    if (mode === 'factorySettings') return 'factorySettings';
    if (mode === 'storage') return 'storage';
    return this.actions.lastConnectionOk() ? 'runLastOk' : 'runLastFailed';
  }

  private secondPass(): void {
    const mode = this.actions.mode();
    if (mode === 'storage') {
      this.beep('storageToRun');
      this.actions.switchToRun();
      this.actions.runMagnetAction();
    } else if (mode === 'run') {
      this.beep('actionStart');
      this.actions.runMagnetAction();
    }
    // FACTORY SETTINGS is only left by configuring the product (§3.1.1.1).
  }

  /** The end of a magnet action: 3 short beeps if it went well, 3 long if not (§3.1.1.3). */
  announce(code: 'resultOk' | 'resultFailed'): void {
    this.beep(code);
  }

  /** §3.1.1.3: a configuration that changed the mode is announced with the new mode's code; `then` runs once it has sounded. */
  announceMode(then: () => void): void {
    this.beep(this.modeCode(), then);
  }

  private beep(code: BeepCode, then?: () => void): void {
    this.beeping = true;
    this.board.buzzer.play(beepPattern(code), () => {
      this.beeping = false;
      this.host.wake(this);
      then?.();
    });
  }
}
