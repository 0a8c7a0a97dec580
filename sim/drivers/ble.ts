import type { BleLink } from '../../drivers/ble/types';
import type { PowerSink } from '../../drivers/power/types';
import type { SimEventId, SimTime } from '../world/types';

/** BLE link: the scenario's "phone" writes messages; notifications are kept for inspection. */
export class SimBle implements BleLink {
  private on = false;
  private pin = '';
  private idleMs = 0;
  private idleEvent: SimEventId | undefined;
  private callback: ((bytes: Uint8Array) => void) | undefined;
  readonly notified: Uint8Array[] = [];

  constructor(private readonly time: SimTime, private readonly sink: PowerSink) {}

  get enabled(): boolean {
    return this.on;
  }

  enable(pin: string, idleTimeoutMs: number): void {
    this.on = true;
    this.pin = pin;
    this.idleMs = idleTimeoutMs;
    this.sink.report('ble', 'advertising');
    this.touch();
  }

  disable(): void {
    if (this.idleEvent !== undefined) this.time.cancel(this.idleEvent);
    this.idleEvent = undefined;
    if (this.on) this.sink.report('ble', 'off');
    this.on = false;
  }

  onMessage(callback: (bytes: Uint8Array) => void): void {
    this.callback = callback;
  }

  notify(bytes: Uint8Array): void {
    this.notified.push(bytes.slice());
    this.touch();
  }

  /** The phone writes a message after pairing with `pin`; false when refused. */
  write(pin: string, bytes: Uint8Array): boolean {
    if (!this.on || pin !== this.pin || this.callback === undefined) return false;
    this.sink.report('ble', 'connected');
    this.touch();
    this.callback(bytes);
    return true;
  }

  private touch(): void {
    if (this.idleEvent !== undefined) this.time.cancel(this.idleEvent);
    this.idleEvent = this.time.at(this.time.now() + this.idleMs, () => {
      this.idleEvent = undefined;
      this.disable();
    });
  }
}
