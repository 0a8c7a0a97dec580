import type { UsbDrive } from '../../drivers/usb/types';

/** The USB drive's contents live in the device state; the scenario plugs the cable and drops files. */
export interface UsbState {
  connected: boolean;
  /** Files the installer dropped, waiting for the firmware. */
  inbox: { name: string; bytes: Uint8Array }[];
  /** Files the firmware wrote back. */
  written: Map<string, Uint8Array>;
}

export class SimUsb implements UsbDrive {
  private callback: (() => void) | undefined;

  constructor(private readonly state: UsbState) {}

  connected(): boolean {
    return this.state.connected;
  }

  take(): { name: string; bytes: Uint8Array }[] {
    const files = this.state.inbox;
    this.state.inbox = [];
    return files;
  }

  put(name: string, bytes: Uint8Array): void {
    this.state.written.set(name, bytes.slice());
  }

  onConnect(callback: () => void): void {
    this.callback = callback;
  }

  /** The scenario plugs the cable in while the firmware is awake. */
  connect(): boolean {
    this.state.connected = true;
    if (this.callback === undefined) return false;
    this.callback();
    return true;
  }
}
