import type { ModemPort } from '../../drivers/modem/types';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** A modem port whose answers the test types in: what the driver wrote, and `feed` for the modem's bytes. */
export class ScriptedPort implements ModemPort {
  readonly written: Uint8Array[] = [];
  private receiver: ((b: Uint8Array) => void) | undefined;
  write(bytes: Uint8Array): number {
    this.written.push(bytes.slice());
    return bytes.length;
  }
  onReceive(cb: (b: Uint8Array) => void): void {
    this.receiver = cb;
  }
  setPowerKey(): void {}
  setSupply(): void {}
  status(): boolean {
    return true;
  }
  feed(s: string | Uint8Array): void {
    this.receiver?.(typeof s === 'string' ? Uint8Array.from(Buffer.from(s, 'latin1')) : s);
  }
  sent(): string[] {
    return this.written.map(text);
  }
}
